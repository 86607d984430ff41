#include "switchboard/ws/message_decoder.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "switchboard/ws/close.hpp"

namespace switchboard::ws {
namespace {

constexpr size_t kMaxControlPayload = 125;       // RFC 6455 §5.5
constexpr size_t kMaxReserve = size_t{1} << 20;  // never trust a header for a big allocation
constexpr size_t kUnmaskChunk = 4096;

Error error_of(InflateStatus status) {
  switch (status) {
    case InflateStatus::LimitExceeded:
      return Error::MessageTooBig;
    case InflateStatus::BadData:
      return Error::BadCompressedData;
    default:
      return Error::InflaterFailure;
  }
}

std::span<uint8_t> tail_of(std::string& s, size_t from) {
  return {reinterpret_cast<uint8_t*>(s.data()) + from, s.size() - from};
}

}  // namespace

MessageDecoder::MessageDecoder(const DecoderOptions& options) : options_(options) {}

size_t MessageDecoder::feed(std::span<const uint8_t> in, Event& event) {
  return feed(in, event, nullptr);
}

size_t MessageDecoder::feed_in_place(std::span<uint8_t> in, Event& event) {
  return feed(in, event, in.data());
}

// `writable` is in.data() when the caller lets its bytes be unmasked in place, else null.
size_t MessageDecoder::feed(std::span<const uint8_t> in, Event& event, uint8_t* writable) {
  event.kind = EventKind::None;
  event.in_place = false;
  if (event.error) event.error.clear();
  if (state_ == State::Done) return in.size();
  if (const size_t n = read_small_message(in, event, writable)) return n;
  size_t used = 0;
  while (used < in.size() && event.kind == EventKind::None) {
    const auto rest = in.subspan(used);
    if (state_ == State::Payload) {
      used += read_payload(rest, event);
    } else if (header_size_ == 0 && rest.size() >= 2 &&
               rest.size() >= frame_header_size(rest[0], rest[1])) {
      // The common case: a whole header in the input, read where it is.
      used += read_whole_header(rest, event, writable ? writable + used : nullptr);
    } else {
      used += read_header(rest, event);
    }
  }
  if (state_ == State::Done && event.kind == EventKind::None) return in.size();
  return used;
}

// The commonest frame, recognised in one test of its first two bytes: a whole message (FIN,
// no RSV bit, Text or Binary) with a 7-bit length, masked as the role requires, found whole in
// `in`. Returns the bytes it took, or 0 (nothing done) for any other frame.
size_t MessageDecoder::read_small_message(std::span<const uint8_t> in, Event& event,
                                          uint8_t* writable) {
  if (state_ != State::Header || header_size_ != 0 || in_message_ || in.size() < 2) return 0;
  const uint8_t b0 = in[0];
  const uint8_t b1 = in[1];
  const bool masked = (b1 & 0x80) != 0;
  const size_t length = b1 & 0x7F;
  const size_t header = masked ? 6 : 2;
  if ((b0 != 0x81 && b0 != 0x82) || masked != (options_.role == Role::Server) || length >= 126 ||
      in.size() < header + length || length > options_.max_message_size) {
    return 0;
  }
  frame_ = FrameHeader{.fin = true,
                       .opcode = static_cast<Opcode>(b0 & 0x0F),
                       .masked = masked,
                       .payload_length = length};
  if (masked) std::memcpy(frame_.mask.data(), &in[2], 4);
  deliver_whole(in.subspan(header, length), event, writable ? writable + header : nullptr);
  return header + length;
}

// A header found whole in `in`; when its frame is a whole message found whole too, the
// message is delivered at once, without the per-chunk path (buffer, incremental UTF-8).
size_t MessageDecoder::read_whole_header(std::span<const uint8_t> in, Event& event,
                                         uint8_t* writable) {
  std::error_code ec;
  const size_t size = decode_frame_header(in, frame_, ec);
  if (ec) {
    fail(event, static_cast<Error>(ec.value()));
    return frame_header_size(in[0], in[1]);
  }
  if (const auto error = check_header()) {
    fail(event, *error);
    return size;
  }
  const FrameHeader& f = frame_;
  if (f.fin && !f.rsv1 && (f.opcode == Opcode::Text || f.opcode == Opcode::Binary) &&
      f.payload_length <= in.size() - size && f.payload_length <= options_.max_message_size) {
    const auto n = static_cast<size_t>(f.payload_length);
    deliver_whole(in.subspan(size, n), event, writable ? writable + size : nullptr);
    return size + n;
  }
  begin_frame(event);
  return size;
}

void MessageDecoder::deliver_whole(std::span<const uint8_t> payload, Event& event,
                                   uint8_t* writable) {
  std::string_view data;
  if (writable) {
    if (frame_.masked) apply_mask(std::span(writable, payload.size()), frame_.mask, 0);
    data = {reinterpret_cast<const char*>(writable), payload.size()};
    event.view = data;
    event.in_place = true;
  } else {
    event.payload.assign(reinterpret_cast<const char*>(payload.data()), payload.size());
    if (frame_.masked) apply_mask(tail_of(event.payload, 0), frame_.mask, 0);
    data = event.payload;
  }
  if (frame_.opcode == Opcode::Text && !is_valid_utf8(data)) return fail(event, Error::InvalidUtf8);
  event.kind = EventKind::Message;
  event.opcode = frame_.opcode;
  event.compressed = false;
}

size_t MessageDecoder::read_header(std::span<const uint8_t> in, Event& event) {
  // Gather the header (at most 14 bytes) so that it may arrive split anywhere.
  const size_t want = header_size_ < 2 ? 2 : frame_header_size(header_bytes_[0], header_bytes_[1]);
  const size_t take = std::min(want - header_size_, in.size());
  std::memcpy(header_bytes_.data() + header_size_, in.data(), take);
  header_size_ = static_cast<uint8_t>(header_size_ + take);
  if (header_size_ < 2 || header_size_ < frame_header_size(header_bytes_[0], header_bytes_[1])) {
    return take;
  }
  std::error_code ec;
  decode_frame_header(std::span(header_bytes_.data(), header_size_), frame_, ec);
  header_size_ = 0;
  if (ec) {
    fail(event, static_cast<Error>(ec.value()));
  } else if (const auto error = check_header()) {
    fail(event, *error);
  } else {
    begin_frame(event);
  }
  return take;
}

std::optional<Error> MessageDecoder::check_header() const {
  const FrameHeader& f = frame_;
  if (f.rsv2 || f.rsv3) return Error::ReservedBits;  // no extension defines them
  if (is_reserved(f.opcode)) return Error::ReservedOpcode;
  if (options_.role == Role::Server && !f.masked) return Error::UnmaskedFrame;
  if (options_.role == Role::Client && f.masked) return Error::MaskedFrame;
  if (is_control(f.opcode)) {
    if (f.rsv1) return Error::ReservedBits;
    if (!f.fin) return Error::FragmentedControlFrame;
    if (f.payload_length > kMaxControlPayload) return Error::ControlFrameTooLong;
    return std::nullopt;
  }
  if (f.opcode == Opcode::Continuation) {
    if (!in_message_) return Error::UnexpectedContinuation;
    // RFC 7692 §6.1: RSV1 marks only the first frame of a compressed message.
    if (f.rsv1) return Error::ReservedBits;
    return std::nullopt;
  }
  if (in_message_) return Error::ExpectedContinuation;
  if (f.rsv1 && !options_.permessage_deflate) return Error::ReservedBits;
  return std::nullopt;
}

void MessageDecoder::begin_frame(Event& event) {
  frame_offset_ = 0;
  const uint64_t length = frame_.payload_length;
  if (is_control(frame_.opcode)) {
    if (!control_) control_ = std::make_unique<std::string>();
    control_->clear();
  } else {
    if (frame_.opcode != Opcode::Continuation) {
      in_message_ = true;
      message_opcode_ = frame_.opcode;
      message_compressed_ = frame_.rsv1;
      compressed_size_ = 0;
      message_.clear();
      utf8_.reset();
    }
    const size_t max = options_.max_message_size;
    if (!message_compressed_) {
      // Refuse at the header, before reading a byte of an oversized payload.
      if (length > max - message_.size()) return fail(event, Error::MessageTooBig);
      if (message_.empty()) message_.reserve(std::min<uint64_t>(length, kMaxReserve));
    } else {
      // The inflated size is what the limit is about (checked while inflating); the wire
      // bytes are bounded too, generously, so a stream of empty blocks cannot run forever.
      const uint64_t wire_limit = max > (std::numeric_limits<uint64_t>::max() - 4096) / 2
                                      ? std::numeric_limits<uint64_t>::max()
                                      : 2 * uint64_t{max} + 4096;
      if (length > wire_limit - compressed_size_) return fail(event, Error::MessageTooBig);
      compressed_size_ += length;
    }
  }
  if (length == 0) {
    end_frame(event);
  } else {
    state_ = State::Payload;
  }
}

size_t MessageDecoder::read_payload(std::span<const uint8_t> in, Event& event) {
  const auto n =
      static_cast<size_t>(std::min<uint64_t>(frame_.payload_length - frame_offset_, in.size()));
  const auto chunk = in.first(n);
  if (is_control(frame_.opcode)) {
    const size_t from = control_->size();
    control_->append(reinterpret_cast<const char*>(chunk.data()), n);
    if (frame_.masked) apply_mask(tail_of(*control_, from), frame_.mask, frame_offset_);
  } else if (message_compressed_) {
    inflate_data(chunk, event);
  } else {
    append_data(chunk, event);
  }
  frame_offset_ += n;
  if (state_ != State::Done && frame_offset_ == frame_.payload_length) end_frame(event);
  return n;
}

void MessageDecoder::append_data(std::span<const uint8_t> chunk, Event& event) {
  const size_t from = message_.size();
  message_.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  if (frame_.masked) apply_mask(tail_of(message_, from), frame_.mask, frame_offset_);
  check_text(from, event);
}

void MessageDecoder::inflate_data(std::span<const uint8_t> chunk, Event& event) {
  // Unmask through a small buffer: the input is const and the inflated bytes are the copy.
  std::array<uint8_t, kUnmaskChunk> buffer;
  for (size_t done = 0; done < chunk.size();) {
    const size_t n = std::min(chunk.size() - done, buffer.size());
    std::span<const uint8_t> piece = chunk.subspan(done, n);
    if (frame_.masked) {
      std::memcpy(buffer.data(), piece.data(), n);
      apply_mask(std::span(buffer.data(), n), frame_.mask, frame_offset_ + done);
      piece = std::span(buffer.data(), n);
    }
    const size_t from = message_.size();
    const InflateStatus status = inflater().inflate(piece, message_, options_.max_message_size);
    // Text first: the bytes inflated before a failure decide, whatever the chunking.
    if (!check_text(from, event)) return;
    if (status != InflateStatus::Ok) return fail(event, error_of(status));
    done += n;
  }
}

bool MessageDecoder::check_text(size_t from, Event& event) {
  if (message_opcode_ != Opcode::Text) return true;
  if (utf8_.feed(std::string_view(message_).substr(from))) return true;
  fail(event, Error::InvalidUtf8);
  return false;
}

void MessageDecoder::end_frame(Event& event) {
  state_ = State::Header;
  if (is_control(frame_.opcode)) return emit_control(event);
  if (frame_.fin) end_message(event);
}

void MessageDecoder::end_message(Event& event) {
  if (message_compressed_) {
    const size_t from = message_.size();
    const auto status = inflater().finish_message(message_, options_.max_message_size);
    if (!check_text(from, event)) return;
    if (status != InflateStatus::Ok) return fail(event, error_of(status));
    // Without context takeover nothing carries over: free the window between messages.
    if (!context_takeover()) inflater_.reset();
  }
  if (message_opcode_ == Opcode::Text && !utf8_.finish()) return fail(event, Error::InvalidUtf8);
  in_message_ = false;
  event.kind = EventKind::Message;
  event.opcode = message_opcode_;
  event.compressed = message_compressed_;
  event.payload = std::move(message_);
  message_.clear();
}

void MessageDecoder::emit_control(Event& event) {
  if (frame_.opcode == Opcode::Close) {
    CloseCode code{};
    std::string_view reason;
    if (const auto ec = parse_close_payload(*control_, code, reason)) {
      return fail(event, static_cast<Error>(ec.value()));
    }
    event.kind = EventKind::Close;
    event.close_code = code;
    event.payload.assign(reason);
    state_ = State::Done;
    control_.reset();
    return;
  }
  event.kind = frame_.opcode == Opcode::Ping ? EventKind::Ping : EventKind::Pong;
  event.payload = std::move(*control_);
  control_.reset();
}

void MessageDecoder::fail(Event& event, Error error) {
  event.kind = EventKind::Error;
  event.in_place = false;
  event.error = error;
  event.close_code = close_code_for(error);
  event.payload.clear();
  state_ = State::Done;
  in_message_ = false;
  // Free the buffers (assigning an empty string would keep them: libstdc++ copies a short
  // string into the buffer it has).
  std::string().swap(message_);
  control_.reset();
  inflater_.reset();
}

void MessageDecoder::abandon() {
  Event ignored;
  fail(ignored, Error::MessageTooBig);
}

Inflater& MessageDecoder::inflater() {
  if (!inflater_) {
    const DeflateParams& p = *options_.permessage_deflate;
    // The server inflates what the client compressed, and vice versa.
    if (options_.role == Role::Server) {
      inflater_ =
          std::make_unique<Inflater>(p.client_max_window_bits, p.client_no_context_takeover);
    } else {
      inflater_ =
          std::make_unique<Inflater>(p.server_max_window_bits, p.server_no_context_takeover);
    }
  }
  return *inflater_;
}

bool MessageDecoder::context_takeover() const {
  const DeflateParams& p = *options_.permessage_deflate;
  return options_.role == Role::Server ? !p.client_no_context_takeover
                                       : !p.server_no_context_takeover;
}

}  // namespace switchboard::ws
