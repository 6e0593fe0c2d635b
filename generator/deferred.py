"""The deferred parts of page contexts (graphs, figures, timelines) and the keys of what they read.

``Deferred`` values planned by ``generator.planner`` are computed here, at render time, from one
``GraphInputs`` per site. ``deferred_key`` digests exactly what ``deferred_context`` reads, so a
cached page stays valid while its graph's inputs do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from generator.incremental.fingerprint import Digester, digest
from generator.graph import Link, person_extra, story_extra
from generator.model import Site
from generator.exports import network_export
from generator.network import SiteNetwork, network_data_extra, network_extra, network_index_extra
from generator.page import Deferred


@dataclass(frozen=True)
class GraphInputs:
    """What every graph of a site is computed from, indexed once."""

    site: Site
    counts: dict[str, int]
    studies: dict[str, Any]  # slug -> CaseStudy

    @cached_property
    def network(self) -> SiteNetwork:
        """The whole network: the network page, its data and its index share it (``WHOLE_NETWORK``)."""
        return SiteNetwork(self.site, self.counts)

    def links(self, person_id: str) -> list[Link]:
        """Every connection the person is in or bridges, in story order.

        Computed per person from the stories they appear in, so that a rebuild that draws
        five person pages does not index every connection of the site.
        """
        return [(index, connection, study.slug)
                for study in self.site.studies_of(person_id)
                for index, connection in enumerate(study.connections)
                if person_id in connection.between or person_id in connection.via]


def graph_inputs(site: Site) -> GraphInputs:
    """Index a site for its graphs."""
    return GraphInputs(site, site.story_counts, {study.slug: study for study in site.studies})


def deferred_context(inputs: GraphInputs, deferred: Deferred) -> dict[str, Any]:
    """The context keys a ``Deferred`` stands for."""
    site = inputs.site
    if deferred.kind == "story":
        return story_extra(site, inputs.studies[deferred.ident], inputs.counts)
    if deferred.kind == "person":
        return person_extra(site, site.people[deferred.ident], inputs.counts, inputs.links(deferred.ident))
    if deferred.kind == "network":
        return network_extra(inputs.network)
    if deferred.kind == "network-data":
        return network_data_extra(inputs.network)
    if deferred.kind == "network-index":
        return network_index_extra(inputs.network)
    if deferred.kind == "export":
        return {"export": network_export(site, inputs.counts)}
    raise ValueError(f"unknown deferred context {deferred.kind!r}")


def deferred_key(inputs: GraphInputs, deferred: Deferred, digester: Digester) -> str:
    """A digest of everything ``deferred_context`` reads for ``deferred``."""
    site, counts = inputs.site, inputs.counts
    # Channel labels and colours are drawn into every graph, legend and figure.
    base = site.config.base_path + digester(site.config.channels)
    if deferred.kind == "story":
        study = inputs.studies[deferred.ident]
        people = study.people
    elif deferred.kind == "person":
        links = inputs.links(deferred.ident)
        people = tuple(dict.fromkeys((deferred.ident, *(p for _, c, _ in links for p in (*c.between, *c.via)))))
        study = tuple((index, digester(connection), slug) for index, connection, slug in links)
    else:
        # What network_graph reads of each story: not its body, so editing a post's text
        # leaves the network page (the heaviest page) as it is.
        shapes = [digester((study.slug, study.title, study.author, study.connections)) for study in site.studies]
        if deferred.kind in ("network", "network-index"):
            # The index (and so the page, which names its digest) also lists each story's year and tags.
            shapes += [digester((study.date, study.tags)) for study in site.studies]
        return digest(deferred.kind, base, site.config.base_url, *shapes, digester(site.people), digester(counts))
    return digest(deferred.kind, deferred.ident, base, digester(study),
                  *(part for person_id in people for part in (digester(site.people[person_id]), str(counts.get(person_id, 0)))))
