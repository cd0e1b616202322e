"""The images the releases run: built with a content tag (ops.images), then handed to the target's cluster."""

import yaml

from ops import images
from ops.settings import Settings
from ops.shell import Shell
from ops.targets import Target, target_for

# Targets whose node takes images from the host's Docker (the others pull from a registry).
LOCAL_TARGETS = ("minikube", "kind")


def deliver_images(shell: Shell, settings: Settings) -> dict[str, str]:
    """Build each image unless its tag exists, and get it into the cluster: release name -> reference."""
    target = target_for(settings)
    delivered = {
        service.repository: target.load_image(shell, settings, build_image(settings, service, shell.dry))
        for service in images.SERVICES.values()
    }
    if target.name in LOCAL_TARGETS and not shell.dry:
        preload_chart_images(shell, settings, target)
    return delivered


def build_image(settings: Settings, service: images.Service, dry: bool) -> str:
    """The content-tagged reference; an existing image with that tag is reused, so no change costs nothing.

    Built as `invoke images.build` builds it: with the `images` settings (source label, build args)."""
    if dry:
        reference = images.image_reference(service)
        print(f"[dry-run] build {reference} from {service.context.name}/ (skipped when it exists)")
        return reference
    return images.build_configured(images.docker_client(), service, settings.images)


def preload_chart_images(shell: Shell, settings: Settings, target: Target) -> None:
    """Third-party images the charts run (PostgreSQL) go into a local cluster from the host's Docker when it
    has them, so the node needs no registry for them: an offline node, or Docker Hub's pull limit."""
    client = images.docker_client()
    for reference in chart_default_images(settings):
        if images.image_exists(client, reference):
            target.load_image(shell, settings, reference)


def chart_default_images(settings: Settings) -> list[str]:
    """The default image of each chart that runs a third-party image: repository plus tag or appVersion."""
    chart_dir = settings.chart("todo-postgres")
    image = yaml.safe_load((chart_dir / "values.yaml").read_text())["image"]
    tag = image["tag"] or yaml.safe_load((chart_dir / "Chart.yaml").read_text())["appVersion"]
    return [f"{image['repository']}:{tag}"]
