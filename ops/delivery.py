"""The images the releases run: built with a content tag (ops.images), then handed to the target's cluster."""

from ops import images
from ops.settings import Settings
from ops.shell import Shell
from ops.targets import target_for


def deliver_images(shell: Shell, settings: Settings) -> dict[str, str]:
    """Build each image unless its tag exists, and get it into the cluster: release name -> reference."""
    target = target_for(settings)
    return {
        service.repository: target.load_image(shell, settings, build_image(service, shell.dry))
        for service in images.SERVICES.values()
    }


def build_image(service: images.Service, dry: bool) -> str:
    """The content-tagged reference; an existing image with that tag is reused, so no change costs nothing."""
    if dry:
        reference = images.image_reference(service)
        print(f"[dry-run] build {reference} from {service.context.name}/ (skipped when it exists)")
        return reference
    return images.build(images.docker_client(), service)
