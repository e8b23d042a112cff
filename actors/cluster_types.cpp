#include "actors/cluster_types.hpp"

#include <caf/actor_system_config.hpp>

#include "actors/messages.hpp"

namespace onair::actors {

void add_cluster_types(caf::actor_system_config& cfg) {
  // The names are the wire contract between nodes of one cluster: renaming one splits the cluster.
  cfg.add_message_type<storage::room_record>("onair_room_record");
  cfg.add_message_type<std::vector<storage::room_record>>("onair_room_records");
  cfg.add_message_type<principal>("onair_principal");
  cfg.add_message_type<net::api::create_room_request>("onair_create_room");
  cfg.add_message_type<net::api::patch_room_request>("onair_patch_room");
  cfg.add_message_type<net::api::room_view>("onair_room_view");
  cfg.add_message_type<net::api::drain_view>("onair_drain_view");
  cfg.add_message_type<net::api::cluster_room>("onair_cluster_room");
  cfg.add_message_type<std::vector<net::api::cluster_room>>("onair_cluster_rooms");
  cfg.add_message_type<net::chat::user_info>("onair_user_info");
  cfg.add_message_type<net::chat::client_frame>("onair_client_frame");
  cfg.add_message_type<hls_update>("onair_hls_update");
  cfg.add_message_type<room_digest>("onair_room_digest");
  cfg.add_message_type<node_viewers>("onair_node_viewers");
  cfg.add_message_type<std::vector<std::uint64_t>>("onair_u64s");
  cfg.add_message_type<timed_frame>("onair_timed_frame");
  cfg.add_message_type<std::vector<storage::token_record>>("onair_token_records");
  cfg.add_message_type<wire_configs>("onair_wire_configs");
  cfg.add_message_type<transcode_request>("onair_transcode_request");
  // The chat backup (chat_replicator): the owner's channel copies every batch to the next node.
  cfg.add_message_type<storage::chat_record>("onair_chat_record");
  cfg.add_message_type<std::vector<storage::chat_record>>("onair_chat_records");
  cfg.add_message_type<storage::chat_moderation>("onair_chat_moderation");
}

}  // namespace onair::actors
