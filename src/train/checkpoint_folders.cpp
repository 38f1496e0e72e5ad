#include "train/checkpoint_folders.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "auhead/error.h"
#include "core/atomic_file.h"
#include "core/json_text.h"
#include "core/rng_state.h"

namespace auhead::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
const char* kStateFile = "training_state.pt";
const char* kTrainerStateFile = "trainer_state.json";
}  // namespace

std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[std::size_t(i)] = i;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + uint64_t(epoch));
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[std::size_t(i)], order[std::size_t(rng() % uint64_t(i + 1))]);
  return order;
}

StepSamples::Slice StepSamples::slice(int64_t step) {
  const int64_t per_epoch = steps_per_epoch(), epoch = step / per_epoch, k = step % per_epoch;
  if (epoch != epoch_) order_ = epoch_order(n_, seed_, epoch), epoch_ = epoch;
  return {epoch, k * per_step_, std::min(n_, (k + 1) * per_step_)};
}

std::string fnv1a_hex(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  uint64_t h = 0xcbf29ce484222325ull;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) h = (h ^ uint8_t(buf[i])) * 0x100000001b3ull;
    if (!in) break;
  }
  std::ostringstream s;
  s << std::hex << h;
  return s.str();
}

std::vector<std::pair<int64_t, fs::path>> checkpoints_in(const fs::path& out) {
  std::vector<std::pair<int64_t, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("checkpoint-", 0) != 0) continue;
    const std::string digits = name.substr(11);
    if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    found.emplace_back(std::stoll(digits), entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

void publish_checkpoint(const fs::path& out, int64_t step, int64_t keep, const std::function<void(const fs::path&)>& fill) {
  const fs::path final_dir = out / ("checkpoint-" + std::to_string(step));
  const fs::path tmp = out / ("checkpoint-" + std::to_string(step) + ".tmp");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (!fs::create_directories(tmp, ec) || ec) throw output_error(tmp.string(), "cannot create the checkpoint folder");
  const int slot = track_temporary_folder(tmp);
  try {
    fill(tmp);
    fs::remove_all(final_dir, ec);
    fs::rename(tmp, final_dir, ec);
    if (ec) throw output_error(final_dir.string(), "cannot move the checkpoint into place: " + ec.message());
  } catch (const c10::Error& e) {
    untrack_temporary_folder(slot);
    fs::remove_all(tmp, ec);
    throw output_error(tmp.string(), std::string("cannot write the training state: ") + e.what_without_backtrace());
  } catch (...) {
    untrack_temporary_folder(slot);
    fs::remove_all(tmp, ec);
    throw;
  }
  untrack_temporary_folder(slot);
  auto all = checkpoints_in(out);
  for (std::size_t i = 0; i + std::size_t(std::max<int64_t>(1, keep)) < all.size(); ++i) fs::remove_all(all[i].second, ec);
}

fs::path resume_checkpoint(const std::string& resume, const fs::path& out, const std::vector<std::string>& required,
                           const std::string& command) {
  if (resume == "latest") {
    auto all = checkpoints_in(out);
    if (all.empty()) throw usage_error("--resume latest: no checkpoint-N folder in " + out.string());
    return all.back().second;
  }
  const fs::path dir = resume;
  if (!fs::is_directory(dir)) throw input_error(dir.string(), "no such checkpoint folder (--resume)");
  std::vector<std::string> files{kStateFile, kTrainerStateFile};
  files.insert(files.end(), required.begin(), required.end());
  for (const auto& f : files)
    if (!fs::is_regular_file(dir / f)) throw input_error((dir / f).string(), "no such file: not a checkpoint of `auhead " + command + "`");
  return dir;
}

void save_training_state(const fs::path& dir, int64_t step, const json& fingerprint, const json& log_history,
                         const std::function<void(torch::serialize::OutputArchive&)>& save) {
  torch::serialize::OutputArchive archive;
  save(archive);
  archive.write("rng", cpu_rng_state());
  archive.write("step", torch::tensor(step, torch::kLong));
  archive.save_to((dir / kStateFile).string());
  const json state = {{"global_step", step}, {"run", fingerprint}, {"log_history", log_history}};
  write_text_file_atomic(dir / kTrainerStateFile, state.dump(1) + "\n");
}

TrainingState load_training_state(const fs::path& dir, const json& fingerprint, const std::string& command,
                                  const std::function<void(torch::serialize::InputArchive&, const std::string&)>& load) {
  const json state = read_json_object_file(dir / kTrainerStateFile);
  const std::string src = (dir / kTrainerStateFile).string();
  if (!state.contains("run") || !state["run"].is_object() || !state.contains("global_step") ||
      !state.contains("log_history") || !state["log_history"].is_array())
    throw input_error(src, "not a trainer state of `auhead " + command + "`");
  check_resume_fingerprint(state, fingerprint, dir);
  TrainingState out;
  out.log_history = state["log_history"];
  torch::serialize::InputArchive archive;
  const std::string state_file = (dir / kStateFile).string();
  try {
    archive.load_from(state_file);
    torch::Tensor rng, step;
    archive.read("rng", rng);
    archive.read("step", step);
    out.step = step.item<int64_t>();
    load(archive, state_file);
    set_cpu_rng_state(rng);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw input_error(state_file, std::string("unreadable training state: ") + e.what());
  }
  int64_t saved_step = -1;
  if (!json_exact_int(state["global_step"], 0, int64_t(1) << 40, saved_step) || saved_step != out.step ||
      int64_t(out.log_history.size()) != out.step)
    throw input_error(state_file, "the training state and trainer_state.json disagree");
  return out;
}

json log_json(const TrainLogEntry& e) {
  json j = {{"step", e.step}, {"epoch", e.epoch}, {"loss", e.loss}, {"lr", e.lr}, {"samples", e.samples}, {"seconds", e.seconds}};
  if (e.tokens > 0) j["tokens"] = e.tokens;
  j["grad_norm"] = std::isfinite(e.grad_norm) ? json(e.grad_norm) : json(nullptr);
  if (e.skipped) j["skipped"] = true;
  return j;
}

TrainLogEntry log_entry(const json& j, int64_t total) {
  TrainLogEntry e;
  e.step = j.at("step").get<int64_t>();
  e.total_steps = total;
  e.epoch = j.at("epoch").get<double>();
  e.loss = j.at("loss").get<double>();
  e.lr = j.at("lr").get<double>();
  e.tokens = j.value("tokens", int64_t(0));
  e.samples = j.at("samples").get<int64_t>();
  e.seconds = j.at("seconds").get<double>();
  e.grad_norm = j.at("grad_norm").is_null() ? std::nan("") : j.at("grad_norm").get<double>();
  e.skipped = j.value("skipped", false);
  return e;
}

std::vector<TrainLogEntry> resumed_log(const TrainingState& state, int64_t total, const fs::path& dir) {
  const std::string src = (dir / kTrainerStateFile).string();
  if (state.step > total) throw input_error(src, "the checkpoint is past this run's last step");
  std::vector<TrainLogEntry> log;
  try {
    for (const auto& e : state.log_history) log.push_back(log_entry(e, total));
  } catch (const json::exception& e) {
    throw input_error(src, std::string("bad log_history: ") + e.what());
  }
  return log;
}

std::ofstream open_train_log(const fs::path& out, const std::vector<TrainLogEntry>& earlier) {
  const fs::path path = out / "train_log.jsonl";
  {
    std::ofstream rewrite(path, std::ios::trunc);
    if (!rewrite) throw output_error(path.string(), "cannot write the training log");
    for (const auto& e : earlier) rewrite << log_json(e).dump() << "\n";
  }
  return std::ofstream(path, std::ios::app);
}

void check_resume_fingerprint(const nlohmann::json& state, const nlohmann::json& fingerprint, const fs::path& resume) {
  for (const auto& [key, value] : fingerprint.items()) {
    const nlohmann::json saved = state["run"].value(key, nlohmann::json());
    if (saved != value)
      throw usage_error("--resume " + resume.string() + ": the checkpoint's " + key + " is " + saved.dump() +
                        ", this run's " + value.dump() + " (resume with the same data and options)");
  }
}

}  // namespace auhead::train
