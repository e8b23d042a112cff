#pragma once
/// Pure rules about rooms shared by the directory and room actors: views, search, ordering, permissions.
#include <cstdint>
#include <string>

#include "actors/messages.hpp"
#include "net/http/api_types.hpp"
#include "storage/records.hpp"

namespace onair::actors {

/// The API view of a record (URLs are filled in by the API gateway, which knows the Host header).
net::api::room_view to_view(const storage::room_record& r, std::uint64_t viewers);

/// True when the record passes the list filters (status, and `q` as a case-insensitive substring of
/// title, description or any tag).
bool matches(const storage::room_record& r, const net::api::list_rooms_request& req);

/// List order: newest first, ties broken by id, so cursors are stable.
bool list_before(const storage::room_record& a, const storage::room_record& b);

/// The opaque cursor that resumes a listing after `r`, and its parse (false when malformed).
std::string cursor_after(const storage::room_record& r);
bool parse_cursor(const std::string& cursor, std::int64_t& created_at_ms, std::string& id);

/// Only the room's owner or an admin may change, end, rotate or delete it.
bool may_modify(const principal& who, const storage::room_record& r);

/// Checks a room's requested ladder against the node's rungs for the room's kind; returns an error
/// message ("" when every name is offered). Duplicates are errors too.
std::string check_ladder(const std::vector<std::string>& ladder, const std::vector<std::string>& offered);

/// New identifiers: a public room id and a secret stream key.
std::string new_room_id();
std::string new_stream_key();

/// Wall clock, Unix milliseconds.
std::int64_t now_ms();

}  // namespace onair::actors
