#include "render/diffusion/diffusion_renderer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdio>

#include "auhead/error.h"
#include "core/note.h"
#include "core/progress.h"
#include "face/face_analyzer.h"
#include "au_estimation/portrait_neutral.h"
#include "geometry/au_deformer.h"
#include "geometry/landmark_image.h"
#include "render/diffusion/au_guidance.h"
#include "render/diffusion/context_windows.h"
#include "render/diffusion/cpu_allocator.h"
#include "render/diffusion/sampler.h"
#include "render/diffusion/diffusion_model_dir.h"
#include "render/warp/head_motion.h"
#include "render/portrait_scene.h"

namespace auhead::render::diffusion {

struct DiffusionReference {
  face::FaceResult face;
  geometry::AuDeformer deformer;
  render::PortraitScene placed;  // framing, head pivot and width: as the warp renderer places them
  ReferenceBank bank;            // the ReferenceNet's tokens for the framed portrait
  torch::Tensor image_embeds;    // (1, 1, cross_attention_dim)

  DiffusionReference(face::FaceResult f, const cv::Mat& portrait, int size, bool keep_expression)
      : face(std::move(f)),
        deformer(keep_expression ? geometry::AuDeformer(face)
                                 : au_estimation::portrait_deformer(face, au_estimation::portrait_expression(portrait, face))),
        placed(render::place_portrait(portrait, face.landmarks, size)) {}
};

namespace {

const face::FaceAnalyzer& analyzer() {
  return face::FaceAnalyzer::shared();  // loads the face models once per process
}

// RGB CV_8UC3 -> (1, 3, H, W) float in [0, 1].
torch::Tensor image_to_tensor(const cv::Mat& rgb) {
  cv::Mat f;
  rgb.convertTo(f, CV_32FC3, 1.0 / 255.0);
  return torch::from_blob(f.data, {1, f.rows, f.cols, 3}, torch::kFloat).permute({0, 3, 1, 2}).clone();
}

// (3, H, W) in [-1, 1] -> RGB CV_8UC3.
cv::Mat tensor_to_image(const torch::Tensor& x) {
  torch::Tensor t = ((x.to(torch::kCPU, torch::kFloat) + 1) * 127.5).round().clamp(0, 255).to(torch::kByte).permute({1, 2, 0}).contiguous();
  return cv::Mat(int(t.size(0)), int(t.size(1)), CV_8UC3, t.data_ptr()).clone();
}

}  // namespace

DiffusionRenderer::DiffusionRenderer(const render::RendererOptions& options) : Renderer(options) {
  if (options.size % 64 != 0)
    throw usage_error("--size " + std::to_string(options.size) + ": the diffusion renderer needs a multiple of 64");
  keep_freed_memory();
  models_ = std::make_shared<DiffusionModels>(load_diffusion_models(options.model_dir, options.sampling));
  const DiffusionModels& m = *models_;
  for (const auto& note : m.notes) print_note("diffusion renderer: " + note);
  char line[160];
  std::snprintf(line, sizeof line, "diffusion renderer: %s %s, %d %s steps, guidance reference %g, AU %g%s",
                m.device.is_cuda() ? "cuda" : "cpu", dtype_name(m.dtype).c_str(), m.settings.steps,
                m.settings.sampler.c_str(), m.settings.guidance_reference, m.settings.guidance_au,
                m.denoising_unet->has_au_adapter() ? "" : " (no AU adapter)");
  print_note(line);
  const int64_t down = int64_t{1} << (models_->denoising_unet->config().block_out_channels.size() - 1);
  if ((options.size / vae_factor(*models_)) % down != 0)
    throw usage_error("--size " + std::to_string(options.size) + ": the latent size is not a multiple of " +
                      std::to_string(down) + " (the UNet's downsampling)");
}

DiffusionRenderer::~DiffusionRenderer() = default;

void DiffusionRenderer::prepare(const cv::Mat& portrait_rgb, const std::string& portrait_source) {
  if (reference_ && reference_image_.data == portrait_rgb.data && reference_image_.size() == portrait_rgb.size() &&
      reference_keeps_expression_ == options_.keep_portrait_expression)
    return;
  DiffusionModels& m = *models_;
  auto ref = std::make_shared<DiffusionReference>(analyzer().analyze(portrait_rgb, portrait_source), portrait_rgb,
                                                  options_.size, options_.keep_portrait_expression);
  torch::InferenceMode guard;
  const torch::Tensor image01 = image_to_tensor(ref->placed.framing.image).to(m.device, m.dtype);
  const torch::Tensor latent = m.vae->encode(image01 * 2 - 1).mean * m.vae->config().scaling_factor;
  const int64_t width = m.denoising_unet->config().cross_attention_dim;
  if (m.image_encoder)
    ref->image_embeds = m.image_encoder->forward(clip_normalize(image01, m.image_encoder->config().image_size)).image_embeds.unsqueeze(1);
  else
    ref->image_embeds = torch::zeros({1, 1, width}, image01.options());
  m.reference_unet->write_reference(latent, torch::zeros({1}, image01.options()), ref->image_embeds, ref->bank);
  reference_ = std::move(ref);
  reference_image_ = portrait_rgb;
  reference_keeps_expression_ = options_.keep_portrait_expression;
}

void DiffusionRenderer::render(const AuSequence& aus, const cv::Mat& portrait_rgb, const std::string& portrait_source,
                               const std::function<void(const cv::Mat&)>& emit) {
  prepare(portrait_rgb, portrait_source);
  DiffusionModels& m = *models_;
  DiffusionReference& r = *reference_;
  const int64_t frames = static_cast<int64_t>(aus.frames.size());
  if (frames == 0) return;
  torch::InferenceMode guard;
  const int64_t size = options_.size, latent_size = size / vae_factor(m), pose_size = latent_size * 8;

  // Per frame: the AU-deformed landmarks (turned by the seeded head motion unless --still), drawn at
  // the pose guider's resolution, and the AU vector.
  std::vector<render::warp::HeadMotionPose> poses;
  if (!options_.still) poses = render::warp::head_motion(aus, options_.seed);
  const double k = double(pose_size) / double(size);
  const cv::Matx23d frame_to_pose(k, 0, 0, 0, k, 0);
  std::vector<torch::Tensor> pose_frames;
  std::vector<float> au_values;
  std::vector<cv::Point3f> points;
  for (int64_t t = 0; t < frames; ++t) {
    const std::vector<cv::Point3f> lm = r.deformer.deform(aus.frames[t]);
    points.clear();
    for (const auto& p : lm) {
      const cv::Point2f q = r.placed.framing.map({p.x, p.y});
      points.emplace_back(q.x, q.y, float(p.z * r.placed.framing.scale));
    }
    if (!poses.empty()) {
      const render::warp::HeadTransform head(poses[t], r.placed.pivot, r.placed.face_width);
      for (auto& p : points) {
        const cv::Point2f q = head.apply(p);
        p.x = q.x;
        p.y = q.y;
      }
    }
    cv::Mat img = geometry::draw_landmark_image(points, frame_to_pose, cv::Size(int(pose_size), int(pose_size)));
    pose_frames.push_back(image_to_tensor(img));
    au_values.insert(au_values.end(), aus.frames[t].begin(), aus.frames[t].end());
  }
  const torch::Tensor pose = torch::stack(pose_frames, 2).to(m.device, m.dtype);  // (1, 3, F, P, P)
  pose_frames.clear();
  // Pose features, in chunks of the context length (the guider is per frame).
  std::vector<std::vector<torch::Tensor>> chunks;
  for (int64_t b = 0; b < frames; b += m.settings.context_frames)
    chunks.push_back(m.pose_guider->forward(pose.slice(2, b, std::min(frames, b + m.settings.context_frames))));
  std::vector<torch::Tensor> features;
  for (std::size_t i = 0; i < chunks[0].size(); ++i) {
    std::vector<torch::Tensor> parts;
    for (const auto& c : chunks) parts.push_back(c[i]);
    features.push_back(torch::cat(parts, 2));
  }
  chunks.clear();
  const torch::Tensor au_dev = torch::from_blob(au_values.data(), {1, frames, int64_t{kNumAus}}, torch::kFloat).to(m.device, m.dtype);

  // Seeded noise (drawn on the CPU so that a seed gives the same video on every device).
  auto gen = at::make_generator<at::CPUGeneratorImpl>(options_.seed);
  const int64_t channels = m.denoising_unet->config().in_channels;
  torch::Tensor latents =
      torch::randn({1, channels, frames, latent_size, latent_size}, gen, torch::TensorOptions().dtype(torch::kFloat)).to(m.device);

  const std::unique_ptr<Sampler> sampler = make_sampler(m.settings.sampler, m.scheduler);
  const std::vector<int64_t> timesteps = sampler->set_timesteps(m.settings.steps);

  const GuidanceScales scales{m.settings.guidance_reference, m.settings.guidance_au};
  const std::vector<FrameWindow> windows = context_windows(frames, m.settings.context_frames, m.settings.context_overlap);
  torch::Tensor count = torch::zeros({1, 1, frames, 1, 1}, latents.options());
  for (const auto& w : windows) count.slice(2, w.begin, w.end) += 1;
  Progress progress("sampling", int64_t(timesteps.size() * windows.size()));
  for (int64_t t : timesteps) {
    torch::Tensor pred = torch::zeros_like(latents);
    const torch::Tensor ts = torch::full({1}, double(t), latents.options());
    for (const auto& w : windows) {
      std::vector<torch::Tensor> fw;
      for (const auto& f : features) fw.push_back(f.slice(2, w.begin, w.end));
      torch::Tensor eps = au_guided_prediction(*m.denoising_unet, latents.slice(2, w.begin, w.end).to(m.dtype), ts, r.image_embeds,
                                               fw, r.bank, au_dev.slice(1, w.begin, w.end), scales);
      pred.slice(2, w.begin, w.end) += eps.to(torch::kFloat);
      progress.advance();
    }
    latents = sampler->step(pred / count, t, latents);
  }
  progress.finish();

  if (!torch::isfinite(latents).all().item<bool>())
    throw Error(ExitCode::internal, "diffusion sampling produced non-finite latents (fp16 overflow or broken weights)");
  const double scale = m.vae->config().scaling_factor;
  for (int64_t f = 0; f < frames; ++f) {
    torch::Tensor image = m.vae->decode((latents.select(2, f) / scale).to(m.dtype));
    emit(tensor_to_image(image[0]));
  }
}

}  // namespace auhead::render::diffusion
