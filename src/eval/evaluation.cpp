// auhead/evaluation.h: one video or a batch scored, the report written whole, the summary returned.
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auhead/error.h"
#include "auhead/evaluation.h"
#include "core/atomic_file.h"
#include "core/note.h"
#include "core/run_context.h"
#include "eval/eval_report.h"

namespace auhead::eval {

std::string evaluate_to_file(const EvalOptions& options, const std::filesystem::path& report,
                             const std::filesystem::path& batch, const RunHooks& hooks) {
  RunScope scope(hooks);
  if (report.empty()) throw usage_error("the report file (-o/--output report.json) is required");
  if (!batch.empty() && (!options.video.empty() || !options.au_pred.empty()))
    throw usage_error("--batch takes the videos from the manifest: leave out --video and --au-pred");
  AtomicFile out(report);  // checks the folder before the work

  std::string json, summary;
  if (!batch.empty()) {
    std::vector<EvalReport> reports;
    for (const auto& e : read_manifest(batch, options)) reports.push_back(evaluate(e));
    const BatchReport b = aggregate(std::move(reports));
    json = batch_to_json(b).dump(1);
    summary = batch_summary(b);
  } else {
    const EvalReport r = evaluate(options);
    if (r.emotion && !r.emotion->available) print_warning(r.emotion->note);
    json = report_to_json(r).dump(1);
    summary = report_summary(r);
  }
  {
    std::ofstream f(out.temp_path(), std::ios::binary);
    f << json << "\n";
    f.flush();
    if (!f) throw output_error(report, "write failed (disk full?)");
  }
  out.commit();
  return summary;
}

}  // namespace auhead::eval
