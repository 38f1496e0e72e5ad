// Force-included (-include) into the harnesses that read torch files, which cmake/fuzz.cmake compiles as
// C++17: clang 14 cannot compile libtorch 1.13's headers as C++20 against libstdc++ 12 (it instantiates
// the constexpr std::vector<c10::IValue> members while IValue is still incomplete; GCC, which builds the
// project, defers them). The torch readers use only these two C++20 library names, supplied here for
// the fuzz build only. Anything more that they come to need goes here too.
#pragma once
#if __cplusplus < 202002L
#include <cstring>
#include <type_traits>

namespace std {
enum class endian { little = __ORDER_LITTLE_ENDIAN__, big = __ORDER_BIG_ENDIAN__, native = __BYTE_ORDER__ };

template <class To, class From>
constexpr std::enable_if_t<sizeof(To) == sizeof(From) && std::is_trivially_copyable_v<From> &&
                               std::is_trivially_copyable_v<To>,
                           To>
bit_cast(const From& from) noexcept {
  return __builtin_bit_cast(To, from);
}
}  // namespace std
#endif
