// multipart/form-data bodies (RFC 7578) of the service's uploads, parsed by GMime: the parts by
// their form field name, with the file name the client gave (never used as a path); and the body a
// client sends (the tests, bench_serve).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auhead::serve {

struct FormPart {
  std::string filename;      // as the client sent it; "" for a plain field
  std::string content_type;  // e.g. "audio/wav"; "" when not given
  std::string data;
};

// `content_type` is the request's Content-Type header. Errors are usage errors naming the problem
// (not multipart/form-data, no boundary, a part without a name, a name given twice, no parts).
std::map<std::string, FormPart> parse_multipart_form(std::string_view content_type, std::string_view body);

// The body of Content-Type "multipart/form-data; boundary=<boundary>" holding `parts` (field name,
// part) in order; the boundary must not occur in any part's data.
std::string write_multipart_form(const std::vector<std::pair<std::string, FormPart>>& parts, std::string_view boundary);

}  // namespace auhead::serve
