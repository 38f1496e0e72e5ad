// What every auhead trainer shares about its run: the shuffled order of an epoch, a fingerprint of the
// data, and checkpoint-N folders (written whole or not at all, the oldest pruned, found again to resume).
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/serialize/archive.h>

#include "auhead/training.h"

namespace auhead::train {

// Epoch `epoch`'s order of n samples: Fisher–Yates driven by a 64-bit Mersenne twister, so that the
// order depends on nothing but (seed, epoch) and a resumed run sees the same one.
std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int64_t epoch);

// The samples of each optimizer step: epochs of n samples in epoch_order(), per_step at a time (the
// last step of an epoch may take fewer).
class StepSamples {
 public:
  StepSamples(int64_t n, int64_t per_step, uint64_t seed) : n_(n), per_step_(per_step), seed_(seed) {}
  int64_t steps_per_epoch() const { return (n_ + per_step_ - 1) / per_step_; }
  struct Slice {
    int64_t epoch = 0, begin = 0, end = 0;  // positions [begin, end) of the epoch's order
  };
  Slice slice(int64_t step);                // (re)shuffles when the step starts another epoch
  int64_t at(int64_t position) const { return order_[std::size_t(position)]; }

 private:
  int64_t n_, per_step_;
  uint64_t seed_;
  int64_t epoch_ = -1;
  std::vector<int64_t> order_;
};

// FNV-1a (64 bit) of a file's bytes, in hex: the data a resumed run must share with the first.
std::string fnv1a_hex(const std::filesystem::path& file);

// The checkpoint-N folders of `out`, by N.
std::vector<std::pair<int64_t, std::filesystem::path>> checkpoints_in(const std::filesystem::path& out);

// Writes OUT/checkpoint-STEP: `fill` writes the files into a temporary folder, which is then renamed
// into place (removed on any error or signal); then all but the newest `keep` checkpoints are removed.
void publish_checkpoint(const std::filesystem::path& out, int64_t step, int64_t keep,
                        const std::function<void(const std::filesystem::path&)>& fill);

// The folder `--resume` names: "latest" (the newest checkpoint of `out`) or a checkpoint folder that
// holds the training state (below) and every one of `required` files. `command` names the trainer in
// messages ("train alm").
std::filesystem::path resume_checkpoint(const std::string& resume, const std::filesystem::path& out,
                                        const std::vector<std::string>& required, const std::string& command);

// A checkpoint's training state: DIR/training_state.pt (the trainer's own state, written by `save`, the
// CPU generator and the step) and DIR/trainer_state.json ({"global_step", "run": the run's fingerprint,
// "log_history": a line per step}).
void save_training_state(const std::filesystem::path& dir, int64_t step, const nlohmann::json& fingerprint,
                         const nlohmann::json& log_history,
                         const std::function<void(torch::serialize::OutputArchive&)>& save);
struct TrainingState {
  int64_t step = 0;
  nlohmann::json log_history;  // one entry per step before `step`
};
// Reads them back: checks the fingerprint (check_resume_fingerprint), lets `load` read the trainer's
// state (its errors name `source`), restores the CPU generator. Files that are not a checkpoint of
// `command`, or disagree with each other, are input errors naming the file.
TrainingState load_training_state(
    const std::filesystem::path& dir, const nlohmann::json& fingerprint, const std::string& command,
    const std::function<void(torch::serialize::InputArchive&, const std::string& source)>& load);

// A log entry as a JSON object (a line of train_log.jsonl), and back (errors: nlohmann's exceptions).
nlohmann::json log_json(const TrainLogEntry& e);
TrainLogEntry log_entry(const nlohmann::json& j, int64_t total_steps);
// The entries of a resumed checkpoint's log, checked against this run's `total_steps`; errors name the
// checkpoint's trainer_state.json.
std::vector<TrainLogEntry> resumed_log(const TrainingState& state, int64_t total_steps, const std::filesystem::path& dir);

// OUT/train_log.jsonl rewritten with a resumed run's earlier entries, open to append this run's.
std::ofstream open_train_log(const std::filesystem::path& out, const std::vector<TrainLogEntry>& earlier);

// Checks that a checkpoint's trainer state (its "run" object) equals this run's `fingerprint`, key by key:
// a usage error naming the first key that differs.
void check_resume_fingerprint(const nlohmann::json& state, const nlohmann::json& fingerprint, const std::filesystem::path& resume);

}  // namespace auhead::train
