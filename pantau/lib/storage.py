"""Storage classes of the settings.

Static files: `collectstatic` (which `pantau serve` runs at every start) writes each file under a
name that contains a hash of its content (`pantau/pantau.3f1c9a0e21b4.css`) with gzip and brotli
copies beside it; `{% static %}` links to the hashed name and WhiteNoise sends those with
`Cache-Control: max-age=31536000, immutable`, so a browser fetches a file once per version.
Every app server collecting the same release produces the same names (they come from the
content), so servers behind a load balancer agree.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed and compressed storage, which falls back to the plain name where the
    files have not been collected (the test suite, a developer's checkout): such a page then
    links `pantau/pantau.css` instead of failing with an error."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected: no manifest entry and no file to hash
            return name
