#include "train/data_parallel.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <string>

#include "auhead/error.h"

namespace auhead::train {

struct DataParallel::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

namespace {

int64_t env_int(const char* name, int64_t lo, int64_t hi) {
  const char* v = std::getenv(name);
  if (!v || !*v) throw usage_error(std::string(name) + " is not set (data-parallel training needs MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE)");
  char* end = nullptr;
  const long long x = std::strtoll(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi)
    throw usage_error(std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + v + "'");
  return x;
}

void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    throw Error(ExitCode::unavailable, std::string("data-parallel ") + what + " failed (another process stopped?): " + e.what());
  }
}

// Tensors of one dtype packed into a flat buffer, reduced, and unpacked.
template <class Op>
void flat(std::vector<torch::Tensor>& tensors, Op op) {
  if (tensors.empty()) return;
  std::vector<torch::Tensor> parts;
  for (auto& t : tensors) parts.push_back(t.reshape({-1}).to(torch::kDouble));
  std::vector<torch::Tensor> buffer = {torch::cat(parts)};
  op(buffer);
  int64_t at = 0;
  for (auto& t : tensors) {
    t.copy_(buffer[0].narrow(0, at, t.numel()).view(t.sizes()).to(t.scalar_type()));
    at += t.numel();
  }
}

}  // namespace

DataParallel::DataParallel(std::unique_ptr<Group> group, int rank, int world)
    : group_(std::move(group)), rank_(rank), world_(world) {}
DataParallel::~DataParallel() = default;

std::unique_ptr<DataParallel> DataParallel::from_environment(double timeout_s) {
  const char* ws = std::getenv("WORLD_SIZE");
  if (!ws || !*ws) return nullptr;
  const int world = int(env_int("WORLD_SIZE", 1, 4096));
  if (world == 1) return nullptr;
  const int rank = int(env_int("RANK", 0, world - 1));
  const int port = int(env_int("MASTER_PORT", 1, 65535));
  const char* addr_env = std::getenv("MASTER_ADDR");
  if (!addr_env || !*addr_env) throw usage_error("MASTER_ADDR is not set (data-parallel training needs MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE)");
  const std::string addr = addr_env;
  const auto timeout = std::chrono::milliseconds(int64_t(timeout_s * 1000));
  auto group = std::make_unique<Group>();
  try {
    c10d::TCPStoreOptions so;
    so.port = uint16_t(port);
    so.isServer = rank == 0;
    so.numWorkers = std::size_t(world);
    so.waitWorkers = true;
    so.timeout = timeout;
    group->store = c10::make_intrusive<c10d::TCPStore>(addr, so);
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    if (ifname && *ifname)
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else if (addr == "127.0.0.1" || addr == "localhost")
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    options->threads = 2;
    group->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group->store, rank, world, options);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ExitCode::unavailable, "data-parallel rendezvous at " + addr + ":" + std::to_string(port) + " (rank " +
                                           std::to_string(rank) + " of " + std::to_string(world) + ") failed: " + e.what());
  }
  return std::unique_ptr<DataParallel>(new DataParallel(std::move(group), rank, world));
}

double DataParallel::sum(double value) {
  std::vector<torch::Tensor> t = {torch::tensor(value, torch::kDouble)};
  wait(group_->pg->allreduce(t), "all-reduce");
  return t[0].item<double>();
}

void DataParallel::sum_gradients(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> grads;
  for (torch::Tensor p : params) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  sum(grads);
}

void DataParallel::sum(std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  flat(tensors, [&](std::vector<torch::Tensor>& b) { wait(group_->pg->allreduce(b), "all-reduce"); });
}

void DataParallel::broadcast(std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  flat(tensors, [&](std::vector<torch::Tensor>& b) { wait(group_->pg->broadcast(b), "broadcast"); });
}

void DataParallel::barrier() { wait(group_->pg->barrier(), "barrier"); }

}  // namespace auhead::train
