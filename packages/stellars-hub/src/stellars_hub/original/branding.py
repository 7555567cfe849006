"""``setup_branding``: the original's branding dictionary, from the platform's images."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from stellars_hub.original.completion import record
from stellars_ui import Branding, load_asset


class BrandingInfo(dict[str, Any]):
    """The original's dictionary; it also carries the images, for ``make_pre_spawn_hook``."""

    images: Branding = Branding()


def setup_branding(
    logo_uri: str = "",
    favicon_uri: str = "",
    lab_main_icon_uri: str = "",
    lab_splash_icon_uri: str = "",
) -> BrandingInfo:
    """Read the branding images and return the original's dictionary of where they are.

    ``file://`` images are read now and served by the hub (as by the
    platform: only image types, at most 1 MiB each, from the folder the
    given files share); ``http(s)`` URLs are linked as they are. The keys:
    ``logo_file`` (the logo's path for ``c.JupyterHub.logo_file``, or None),
    ``favicon_uri`` (an external favicon's URL), ``lab_main_icon_static`` and
    ``lab_splash_icon_static`` (where the hub serves a file icon, relative to
    its prefix), ``lab_main_icon_url`` and ``lab_splash_icon_url`` (an
    external icon's URL); ``""`` where unused.

    Raises:
        BrandingError: an image cannot be used (the message says why).
    """
    uris = {
        "JUPYTERHUB_LOGO_URI": logo_uri,
        "JUPYTERHUB_FAVICON_URI": favicon_uri,
        "JUPYTERHUB_LAB_MAIN_ICON_URI": lab_main_icon_uri,
        "JUPYTERHUB_LAB_SPLASH_ICON_URI": lab_splash_icon_uri,
    }
    directory = _shared_folder(uris.values())
    images = Branding(
        logo=load_asset(logo_uri, directory),
        favicon=load_asset(favicon_uri, directory),
        lab_main_icon=load_asset(lab_main_icon_uri, directory),
        lab_splash_icon=load_asset(lab_splash_icon_uri, directory),
    )
    record(**uris, JUPYTERHUB_BRANDING_DIR=str(directory))
    info = BrandingInfo(
        logo_file=_file_path(logo_uri) if images.logo and images.logo.url is None else None,
        favicon_uri=_external(images, "favicon"),
        lab_main_icon_static=_served(images, "lab-main-icon"),
        lab_main_icon_url=_external(images, "lab-main-icon"),
        lab_splash_icon_static=_served(images, "lab-splash-icon"),
        lab_splash_icon_url=_external(images, "lab-splash-icon"),
    )
    info.images = images
    return info


def _file_path(uri: str) -> str:
    return str(Path(unquote(urlsplit(uri).path)).resolve())


def _shared_folder(uris: Any) -> Path:
    # An original config names its files directly, wherever they are: the
    # images are confined to the folder they share.
    folders = [str(Path(_file_path(uri)).parent) for uri in uris if uri.startswith("file:")]
    return Path(os.path.commonpath(folders)) if folders else Path.cwd()


def _external(images: Branding, name: str) -> str:
    asset = images.assets().get(name)
    return asset.url if asset is not None and asset.url is not None else ""


def _served(images: Branding, name: str) -> str:
    asset = images.assets().get(name)
    if asset is None or asset.url is not None:
        return ""
    return images.href(name, "") or ""
