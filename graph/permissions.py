"""Who may change what: a pure rule over a principal and the entities a write touches.

Rule:

- an **admin** may make every write;
- a **member** may create, change or delete only projects and campaigns, and only those in
  its scope — a project whose team is one of the scope's teams, whose county is one of its
  counties, or one of whose segments belongs to one of its chains; a campaign whose team,
  chain or county is in the scope. A change must be in scope both before and after (a
  member cannot move a project out of its scope, nor into it from another team's);
- a **viewer** (and anyone not logged in) may make no write.

>>> from graph.accounts import Principal, Scope
>>> from graph.model import Atlas, Project, Source
>>> p = Project(id="proj.x", name="某项目", investor="某公司", stage="线索", team="尼龙专班",
...             src=Source(public="示例", as_of="2026-11-01"))
>>> member = Principal(name="z", display_name="张三", role="member",
...                    scope=Scope(teams=["尼龙专班"]), via="key")
>>> may_write(member, Atlas(), "project", None, p)
True
>>> may_write(member, Atlas(), "company", None, None)
False
"""

from __future__ import annotations

from graph.accounts import Forbidden, Principal, Scope
from graph.model import Atlas, Campaign, Entity, Project

MEMBER_KINDS = frozenset({"project", "campaign"})


def in_scope(scope: Scope, atlas: Atlas, entity: Entity) -> bool:
    """True when ``entity`` (a project or campaign) lies in ``scope``."""
    if isinstance(entity, Project):
        if entity.team and entity.team in scope.teams:
            return True
        if entity.county and entity.county in scope.counties:
            return True
        chains = set(scope.chains)
        return any(chains & set(atlas.segments[s].chains)
                   for s in entity.segments if s in atlas.segments)
    if isinstance(entity, Campaign):
        return (entity.team in scope.teams or entity.chain in scope.chains
                or (entity.county is not None and entity.county in scope.counties))
    return False


def may_write(who: Principal, atlas: Atlas, kind: str, before: Entity | None,
              after: Entity | None) -> bool:
    """Whether ``who`` may write ``kind`` from ``before`` to ``after`` (None: absent)."""
    if who.role == "admin":
        return True
    if who.role != "member" or kind not in MEMBER_KINDS:
        return False
    return all(in_scope(who.scope, atlas, e) for e in (before, after) if e is not None)


def check_write(who: Principal, atlas: Atlas, kind: str, before: Entity | None,
                after: Entity | None) -> None:
    """:class:`Forbidden` unless :func:`may_write`."""
    if not may_write(who, atlas, kind, before, after):
        hit = after or before
        what = hit.id if hit is not None else kind
        raise Forbidden(f"{who.display_name} 无权修改 {what} (not allowed for role {who.role})",
                        details=[{"field": kind, "value": what}])
