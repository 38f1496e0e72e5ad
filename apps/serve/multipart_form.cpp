#include "serve/multipart_form.h"

#include <gmime/gmime.h>

#include <memory>
#include <mutex>

#include "auhead/error.h"

namespace auhead::serve {

namespace {

struct Unref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using Ref = std::unique_ptr<T, Unref>;

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

std::string part_bytes(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return {};
  Ref<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, out.get()) < 0)
    throw usage_error("multipart body: a part cannot be decoded");
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace

std::map<std::string, FormPart> parse_multipart_form(std::string_view content_type, std::string_view body) {
  init_gmime();
  // GMime reads a whole MIME entity: the request's own Content-Type header, then the body.
  Ref<GMimeContentType> type(g_mime_content_type_parse(nullptr, std::string(content_type).c_str()));
  if (!type || !g_mime_content_type_is_type(type.get(), "multipart", "form-data"))
    throw usage_error("the body must be multipart/form-data");
  const char* boundary = g_mime_content_type_get_parameter(type.get(), "boundary");
  if (!boundary || !*boundary) throw usage_error("multipart/form-data without a boundary");
  std::string entity = "Content-Type: ";
  entity.append(content_type);
  entity += "\r\n\r\n";
  entity.append(body);
  Ref<GMimeStream> stream(
      g_mime_stream_mem_new_with_buffer(entity.data(), entity.size()));
  Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  Ref<GMimeObject> root(g_mime_parser_construct_part(parser.get(), nullptr));
  if (!root || !GMIME_IS_MULTIPART(root.get())) throw usage_error("multipart body cannot be read");
  GMimeMultipart* multipart = GMIME_MULTIPART(root.get());
  std::map<std::string, FormPart> parts;
  const int n = g_mime_multipart_get_count(multipart);
  for (int i = 0; i < n; ++i) {
    GMimeObject* object = g_mime_multipart_get_part(multipart, i);
    if (!GMIME_IS_PART(object)) throw usage_error("multipart body: nested multiparts are not taken");
    GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(object);
    const char* name = disposition ? g_mime_content_disposition_get_parameter(disposition, "name") : nullptr;
    if (!name || !*name) throw usage_error("multipart body: a part has no form field name");
    FormPart part;
    if (const char* f = g_mime_content_disposition_get_parameter(disposition, "filename")) part.filename = f;
    if (GMimeContentType* t = g_mime_object_get_content_type(object)) {
      if (g_mime_object_get_header(object, "Content-Type")) {
        char* s = g_mime_content_type_get_mime_type(t);
        part.content_type = s;
        g_free(s);
      }
    }
    part.data = part_bytes(GMIME_PART(object));
    if (!parts.emplace(name, std::move(part)).second)
      throw usage_error(std::string("multipart body: field '") + name + "' given twice");
  }
  if (parts.empty()) throw usage_error("multipart body has no parts");
  return parts;
}

std::string write_multipart_form(const std::vector<std::pair<std::string, FormPart>>& parts, std::string_view boundary) {
  std::string b;
  for (const auto& [name, p] : parts) {
    b.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(name).append("\"");
    if (!p.filename.empty()) b.append("; filename=\"").append(p.filename).append("\"");
    b.append("\r\n");
    if (!p.content_type.empty()) b.append("Content-Type: ").append(p.content_type).append("\r\n");
    b.append("\r\n").append(p.data).append("\r\n");
  }
  return b.append("--").append(boundary).append("--\r\n");
}

}  // namespace auhead::serve
