#include "switchboard/ws/permessage_deflate.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace switchboard::ws {
namespace {

const PermessageDeflateOptions kOn{.enabled = true};

struct NegotiationCase {
  const char* offer;
  PermessageDeflateOptions options;
  std::optional<std::string> response;  // nullopt: declined
  DeflateParams params = {};
};

const NegotiationCase kCases[] = {
    // Accepted as offered.
    {"permessage-deflate", kOn, "permessage-deflate"},
    {"permessage-deflate; client_max_window_bits", kOn, "permessage-deflate"},
    {"permessage-deflate; server_no_context_takeover",
     kOn,
     "permessage-deflate; server_no_context_takeover",
     {.server_no_context_takeover = true}},
    {"permessage-deflate;client_no_context_takeover",
     kOn,
     "permessage-deflate; client_no_context_takeover",
     {.client_no_context_takeover = true}},
    {"permessage-deflate; server_max_window_bits=10",
     kOn,
     "permessage-deflate; server_max_window_bits=10",
     {.server_max_window_bits = 10}},
    {"permessage-deflate; server_max_window_bits=\"12\"",
     kOn,
     "permessage-deflate; server_max_window_bits=12",
     {.server_max_window_bits = 12}},
    {"permessage-deflate; client_max_window_bits=9",
     kOn,
     "permessage-deflate; client_max_window_bits=9",
     {.client_max_window_bits = 9}},
    {"PerMessage-Deflate ;  client_max_window_bits = 8 ",
     kOn,
     "permessage-deflate; client_max_window_bits=8",
     {.client_max_window_bits = 8}},
    // The server's own limits.
    {"permessage-deflate; client_max_window_bits",
     {.enabled = true, .client_max_window_bits = 10},
     "permessage-deflate; client_max_window_bits=10",
     {.client_max_window_bits = 10}},
    {"permessage-deflate", {.enabled = true, .client_max_window_bits = 10}, "permessage-deflate"},
    {"permessage-deflate; server_max_window_bits=12",
     {.enabled = true, .server_max_window_bits = 9},
     "permessage-deflate; server_max_window_bits=9",
     {.server_max_window_bits = 9}},
    {"permessage-deflate",
     {.enabled = true, .server_max_window_bits = 11},
     "permessage-deflate; server_max_window_bits=11",
     {.server_max_window_bits = 11}},
    {"permessage-deflate",
     {.enabled = true, .server_no_context_takeover = true, .client_no_context_takeover = true},
     "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
     {.server_no_context_takeover = true, .client_no_context_takeover = true}},
    // The first acceptable offer wins.
    {"x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=9",
     kOn,
     "permessage-deflate; server_max_window_bits=9",
     {.server_max_window_bits = 9}},
    {"permessage-deflate; bogus, permessage-deflate; client_no_context_takeover",
     kOn,
     "permessage-deflate; client_no_context_takeover",
     {.client_no_context_takeover = true}},
    {"permessage-deflate; server_max_window_bits=\"1,5\", permessage-deflate", kOn,
     "permessage-deflate"},
    {"permessage-deflate; server_max_window_bits=\"10, permessage-deflate", kOn, std::nullopt},
    // Declined.
    {"permessage-deflate", {.enabled = false}, std::nullopt},
    {"", kOn, std::nullopt},
    {"x-webkit-deflate-frame", kOn, std::nullopt},
    {"permessage-deflate; unknown_param", kOn, std::nullopt},
    {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", kOn,
     std::nullopt},
    {"permessage-deflate; client_max_window_bits; client_max_window_bits=10", kOn, std::nullopt},
    {"permessage-deflate; server_no_context_takeover=1", kOn, std::nullopt},
    {"permessage-deflate; server_max_window_bits", kOn, std::nullopt},
    {"permessage-deflate; server_max_window_bits=7", kOn, std::nullopt},
    {"permessage-deflate; server_max_window_bits=16", kOn, std::nullopt},
    {"permessage-deflate; server_max_window_bits=010", kOn, std::nullopt},
    {"permessage-deflate; client_max_window_bits=abc", kOn, std::nullopt},
    {"permessage-deflate; client_max_window_bits=", kOn, std::nullopt},
    {"permessage-deflate;", kOn, std::nullopt},
    {"permessage-deflate client_max_window_bits", kOn, std::nullopt},
};

TEST(PermessageDeflate, NegotiatesTheFirstAcceptableOffer) {
  for (const NegotiationCase& c : kCases) {
    SCOPED_TRACE(c.offer);
    const auto agreement = negotiate_permessage_deflate(c.offer, c.options);
    ASSERT_EQ(agreement.has_value(), c.response.has_value());
    if (!agreement) continue;
    EXPECT_EQ(agreement->response, *c.response);
    const DeflateParams& p = agreement->params;
    EXPECT_EQ(p.server_no_context_takeover, c.params.server_no_context_takeover);
    EXPECT_EQ(p.client_no_context_takeover, c.params.client_no_context_takeover);
    EXPECT_EQ(p.server_max_window_bits, c.params.server_max_window_bits);
    EXPECT_EQ(p.client_max_window_bits, c.params.client_max_window_bits);
  }
}

}  // namespace
}  // namespace switchboard::ws
