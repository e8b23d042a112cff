#pragma once
/// The HLS edge path as pure functions (docs/cluster.md, "HLS edge path"): an origin's packager turns
/// each new snapshot into an hls_update against the last one it sent; an edge applies updates to its
/// own copy and serves it from its index with the same blocking-reload rules as the origin.
#include <string>

#include "actors/cluster_types.hpp"
#include "media/hls_snapshot.hpp"

namespace onair::actors {

/// The update that turns `prev` (null: nothing sent yet, a full update) into `cur`. Only files new by
/// name travel: a part that becomes a view into its completed segment keeps its name and bytes.
hls_update make_hls_update(const std::string& room, const media::rendition_snapshot* prev,
                           const media::rendition_snapshot& cur, const std::string& master);

/// The edge's next snapshot: `prev` (ignored when u.full) with u's removals and additions applied.
media::rendition_snapshot_ptr apply_hls_update(const media::rendition_snapshot* prev, const hls_update& u);

}  // namespace onair::actors
