// `auhead au`: speech → AU sequence file (Stage 1 only).
#include "command.h"
#include "pipeline_options.h"

namespace auhead::cli {
namespace {

struct Args {
  AuArgs au;
  EditArgs edit;
  std::string out;
};

CommandRegistration reg(20, [](CLI::App& app, const GlobalOptions&) {
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("au", "speech -> AU sequence (.json or .csv)");
  args->au.add_to(cmd, true);
  cmd->add_option("-o,--output", args->out, "AU file to write (.json or .csv)")->required();
  cmd->add_option("--plot", args->au.options.plot, "also draw the AU curves with the phones to this PNG");
  args->edit.add_to(cmd);
  cmd->callback([args] {
    AuOptions o = args->au.resolve();
    o.edit = args->edit.build();
    detect_au_format(args->out);
    write_au_file(args->out, generate_au(o));
  });
});

}  // namespace
}  // namespace auhead::cli
