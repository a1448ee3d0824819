"""The supervising organ of a region, as its documents name it: 柯城区司法局, and the short
form its document numbers start with (柯司 … 柯司风提〔2026〕3号, 柯司监意〔2026〕1号)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wurao.registry.models import Region


def organ_names(session: Session, region_code: str) -> tuple[str, str]:
    """``(full name, short form)`` of the 司法局 of a region.

    A city's organ writes 衢市司 so that its numbers differ from its county 衢江区's 衢司."""
    region = session.get(Region, region_code)
    name = region.name if region is not None else region_code
    short = f"{name[:1]}市司" if name.endswith("市") else f"{name[:1]}司"
    return f"{name}司法局", short
