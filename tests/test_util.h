// Small helpers shared by the unit tests.
#pragma once
#include <string>

#include "auhead/error.h"

namespace auhead::test {

// The message of the auhead::Error that fn throws, or "" when it throws none.
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace auhead::test
