from django.core.files.base import ContentFile
from django.db import transaction
from huey.contrib.djhuey import db_task

from pantau.lib.images import ImageRejected, reencode
from pantau.monitoring.models import Photo


@db_task(retries=2, retry_delay=30)
def process_photo(photo_id: int) -> None:
    """Re-encode an uploaded photo (orientation applied, metadata dropped, at most 1600 px) and
    keep its EXIF location and time: the photos `stage_photo` could not keep as sent."""
    photo = Photo.objects.filter(pk=photo_id, status=Photo.Status.PENDING).first()
    if photo is None or not photo.original:
        return
    try:
        with photo.original.open("rb") as fh:
            result = reencode(fh)
    except ImageRejected:
        photo.status = Photo.Status.FAILED
        photo.save(update_fields=["status"])
        return
    with transaction.atomic():
        photo.image.save("photo.jpg", ContentFile(result["data"]), save=False)
        photo.take(result)
        original = photo.original.name
        photo.original = ""
        photo.save()
    photo.original.storage.delete(original)
