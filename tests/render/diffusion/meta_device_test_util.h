// Builds torch modules on the meta device (shapes only, no memory, no initialisation), so that tests can
// check full-size models against the public checkpoints' key/shape manifests cheaply.
#pragma once
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/torch.h>

namespace auhead::test {

// Under these guards factory calls skip backend selection and, like the initialisers, dispatch to the
// meta backend. The guards' destructors leave the meta backend bit behind (they remove functionality
// bits only), so the thread's whole dispatch-key state is saved and put back.
template <class Make>
auto build_on_meta(Make make) {
  struct Restore {
    c10::impl::LocalDispatchKeySet saved = c10::impl::tls_local_dispatch_key_set();
    ~Restore() { c10::impl::_force_tls_local_dispatch_key_set(saved); }
  } restore;
  c10::impl::ExcludeDispatchKeyGuard no_backend_select(c10::DispatchKey::BackendSelect);
  c10::impl::IncludeDispatchKeyGuard meta(c10::DispatchKey::Meta);
  return make();
}

}  // namespace auhead::test
