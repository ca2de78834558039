/* "Use my location" on the report form: fills the hidden lat and lon from the phone's position.
   The button's texts are in its data- attributes (the page's language). Listens on the
   document, so it keeps working when offline.js puts the server's answer in place of the form. */
(function () {
  "use strict";
  if (!navigator.geolocation) return;

  function show() {
    var button = document.getElementById("locate");
    if (button) button.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#locate");
    if (!button) return;
    var status = document.getElementById("locate-status");
    status.textContent = button.getAttribute("data-finding");
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("id_lat").value = position.coords.latitude.toFixed(6);
      document.getElementById("id_lon").value = position.coords.longitude.toFixed(6);
      status.textContent = button.getAttribute("data-found")
        .replace("%s", Math.round(position.coords.accuracy));
    }, function () {
      status.textContent = button.getAttribute("data-failed");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
  document.addEventListener("pantau:form-replaced", show);
  show();
})();
