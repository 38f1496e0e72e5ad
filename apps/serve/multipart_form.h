// multipart/form-data bodies (RFC 7578) of the service's uploads, parsed by GMime: the parts by
// their form field name, with the file name the client gave (never used as a path).
#pragma once
#include <map>
#include <string>
#include <string_view>

namespace auhead::serve {

struct FormPart {
  std::string filename;      // as the client sent it; "" for a plain field
  std::string content_type;  // e.g. "audio/wav"; "" when not given
  std::string data;
};

// `content_type` is the request's Content-Type header. Errors are usage errors naming the problem
// (not multipart/form-data, no boundary, a part without a name, a name given twice, no parts).
std::map<std::string, FormPart> parse_multipart_form(std::string_view content_type, std::string_view body);

}  // namespace auhead::serve
