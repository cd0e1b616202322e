"""`invoke images.*`: build the backend and frontend images, load them into Minikube, push them."""

from docker import DockerClient
from invoke import Collection, Context, task

from ops import images as images_
from ops.errors import OpsError
from ops.settings import ImageSettings, load_settings
from ops.shell import Shell
from ops.targets import Minikube

SERVICE_HELP = "backend, frontend or all (default: all)"


def build_images(
    configured: ImageSettings, client: DockerClient, service: str, force: bool = False
) -> list[str]:
    """Build the chosen services' images as the `images` settings say."""
    selected = images_.select_services(service)
    return [images_.build_configured(client, chosen, configured, force=force) for chosen in selected]


@task(help={"service": SERVICE_HELP, "force": "rebuild even when an image with the same tag exists"})
def build(c: Context, service: str = "all", force: bool = False) -> None:
    """Build the images, tagged <source tree>[-dirty-<hash>]: unchanged sources reuse the image."""
    for reference in build_images(load_settings(c).images, images_.docker_client(), service, force):
        print(f"built {reference}")


@task(help={"service": SERVICE_HELP})
def tag(c: Context, service: str = "all") -> None:
    """Print the image references the current sources get (what `images.build` builds and deploys use)."""
    for chosen in images_.select_services(service):
        print(images_.image_reference(chosen))


@task(help={"service": SERVICE_HELP, "profile": "Minikube profile (default: cluster.minikube_profile)"})
def load(c: Context, service: str = "all", profile: str | None = None) -> None:
    """Build the images if needed and load them into Minikube's node (`minikube image load`)."""
    settings = load_settings(c, minikube_profile=profile)
    shell = Shell(c)
    for reference in build_images(settings.images, images_.docker_client(), service):
        Minikube().load_image(shell, settings, reference)
        print(f"loaded {reference} into minikube profile {settings.minikube_profile}")


@task(help={"registry": "host[:port] to push to, e.g. 127.0.0.1:5000 (default: cluster.registry)",
            "service": SERVICE_HELP})  # fmt: skip
def push(c: Context, registry: str | None = None, service: str = "all") -> None:
    """Build the images if needed and push them to a registry, for remote clusters and CI's cluster."""
    settings = load_settings(c, registry=registry)
    if not settings.registry:
        raise OpsError("no registry: pass --registry HOST[:PORT] or set cluster.registry in invoke.yaml")
    client = images_.docker_client()
    for reference in build_images(settings.images, client, service):
        print(f"pushed {images_.push(client, reference, settings.registry)}")


ns = Collection("images", build, tag, load, push)
ns.configure(
    {
        # The backend and frontend images (names and Dockerfiles: docs/images.md). Typed and checked by
        # ops/settings.py (ImageSettings).
        "images": {
            "source": "",  # the OCI label org.opencontainers.image.source: the repository's public URL
            # Per service, added to `docker build`, e.g. a mirrored base image: backend PYTHON_IMAGE (default
            # python:3.11-slim); frontend NODE_IMAGE (node:22-slim; its runtime is FROM scratch).
            "build_args": {"backend": {}, "frontend": {}},
        }
    }
)
