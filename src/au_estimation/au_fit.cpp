// Minimises  Σ w (x − rest − J a − M b)² + Σ_k (μ a_k + λ a_k²) + Σ_j b_j² / σ_j²,  0 ≤ a ≤ 1,
// by exact coordinate descent on the normal equations (a small convex QP: 30 AUs + the identity
// modes). The basis's couplings (a smile raises the cheeks by gain · a_from · (1 − a_to)) are
// bilinear and the combinations (gain · min(a, b)) piecewise linear: both are linearised at the
// current estimate and the fit is repeated (Gauss–Newton).
#include "au_estimation/au_fit.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "render/warp/face_regions.h"

namespace auhead::au_estimation {
namespace {
constexpr int kPoints = geometry::kMeshPoints;
constexpr int kCoords = kPoints * 3;

std::vector<float> flatten(const std::vector<cv::Vec3f>& f) {
  std::vector<float> out(kCoords);
  for (int v = 0; v < kPoints; ++v)
    for (int c = 0; c < 3; ++c) out[3 * v + c] = f[v][c];
  return out;
}
}  // namespace

AuFitter::AuFitter(std::vector<cv::Point3f> rest, const geometry::AuFields& fields, const geometry::AuBasis& basis,
                   std::vector<IdentityMode> identity, AuFitSettings settings)
    : rest_(std::move(rest)), identity_(std::move(identity)), settings_(settings) {
  if (rest_.size() != size_t(kPoints)) throw std::invalid_argument("AuFitter: 468 rest points needed");
  std::vector<float> vw(kPoints, 1.f);
  for (int v : render::warp::kFaceOval) vw[v] = settings_.oval_weight;
  const float inv_var = 1.f / (settings_.noise_cm * settings_.noise_cm);
  weight_.resize(kCoords);
  for (int v = 0; v < kPoints; ++v) {
    weight_[3 * v] = vw[v] * inv_var;
    weight_[3 * v + 1] = vw[v] * inv_var;
    weight_[3 * v + 2] = vw[v] * settings_.z_weight * inv_var;
  }
  for (int k = 0; k < kNumAus; ++k) columns_.push_back(flatten(fields.au[k]));
  for (const auto& m : identity_) columns_.push_back(flatten(m.field));
  for (size_t c = 0; c < basis.couplings.size(); ++c)
    couplings_.push_back({basis.couplings[c].from, basis.couplings[c].to, basis.couplings[c].gain,
                          flatten(fields.coupling[c])});
  for (size_t c = 0; c < basis.combinations.size(); ++c)
    combinations_.push_back({basis.combinations[c].a, basis.combinations[c].b, flatten(fields.combination[c])});
  const int n = vars();
  base_h_.assign(size_t(n) * n, 0.0);
  std::vector<double> row;
  for (int j = 0; j < n; ++j) {
    normal_row(columns_, j, row);
    for (int k = 0; k < n; ++k) base_h_[size_t(j) * n + k] = row[k];
  }
}

void AuFitter::normal_row(const std::vector<std::vector<float>>& cols, int j, std::vector<double>& h) const {
  const int n = vars();
  h.assign(n, 0.0);
  const float* cj = cols[j].data();
  for (int k = 0; k < n; ++k) {
    const float* ck = cols[k].data();
    double s = 0;
    for (int i = 0; i < kCoords; ++i) s += double(cj[i]) * ck[i] * weight_[i];
    h[k] = s;
  }
}

std::vector<cv::Point3f> AuFitter::displacement(const AuFrame& a) const {
  std::vector<cv::Point3f> d(kPoints, cv::Point3f(0, 0, 0));
  auto add = [&](const std::vector<float>& col, float w) {
    if (w == 0) return;
    for (int v = 0; v < kPoints; ++v) d[v] += w * cv::Point3f(col[3 * v], col[3 * v + 1], col[3 * v + 2]);
  };
  for (int k = 0; k < kNumAus; ++k) add(columns_[k], a[k]);
  for (const auto& c : couplings_) add(c.field, c.gain * a[c.from] * (1 - a[c.to]));
  for (const auto& c : combinations_) add(c.field, std::min(a[c.a], a[c.b]));
  return d;
}

AuFit AuFitter::fit(const std::vector<cv::Point3f>& aligned, float upper) const {
  if (aligned.size() != size_t(kPoints)) throw std::invalid_argument("AuFitter::fit: 468 landmarks needed");
  const int n = vars();
  std::vector<float> y(kCoords);
  for (int v = 0; v < kPoints; ++v) {
    cv::Point3f d = aligned[v] - rest_[v];
    y[3 * v] = d.x;
    y[3 * v + 1] = d.y;
    y[3 * v + 2] = d.z;
  }
  std::vector<double> x(n, 0.0);
  std::vector<double> h = base_h_, g(n), row;
  std::vector<std::vector<float>> cols;  // the columns with the couplings linearised (only when active)
  const std::vector<std::vector<float>>* use = &columns_;

  const bool nonlinear = !couplings_.empty() || !combinations_.empty();
  const int outer_iterations = nonlinear ? 3 : 1;
  for (int outer = 0; outer < outer_iterations; ++outer) {
    // Linearise the couplings at x: columns from/to change, and the target loses gain·a_f·a_t·C.
    // A combination min(a, b)·C is linear in the smaller AU (both halves on a tie).
    std::vector<float> target = y;
    if (nonlinear) {
      cols = columns_;
      for (const auto& c : couplings_) {
        float af = float(x[c.from]), at = float(x[c.to]);
        float dfrom = c.gain * (1 - at), dto = -c.gain * af, off = c.gain * af * at;
        for (int i = 0; i < kCoords; ++i) {
          cols[c.from][i] += dfrom * c.field[i];
          cols[c.to][i] += dto * c.field[i];
          target[i] -= off * c.field[i];
        }
      }
      for (const auto& c : combinations_) {
        double xa = x[c.a], xb = x[c.b];
        float wa = xa < xb ? 1.f : xa > xb ? 0.f : 0.5f;
        for (int i = 0; i < kCoords; ++i) {
          cols[c.a][i] += wa * c.field[i];
          cols[c.b][i] += (1 - wa) * c.field[i];
        }
      }
      use = &cols;
      h = base_h_;
      std::vector<int> changed;
      for (const auto& c : couplings_) {
        changed.push_back(c.from);
        changed.push_back(c.to);
      }
      for (const auto& c : combinations_) {
        changed.push_back(c.a);
        changed.push_back(c.b);
      }
      std::sort(changed.begin(), changed.end());
      changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
      for (int j : changed) {
        normal_row(cols, j, row);
        for (int k = 0; k < n; ++k) {
          h[size_t(j) * n + k] = row[k];
          h[size_t(k) * n + j] = row[k];
        }
      }
    }
    for (int j = 0; j < n; ++j) {
      const float* cj = (*use)[j].data();
      double s = 0;
      for (int i = 0; i < kCoords; ++i) s += double(cj[i]) * target[i] * weight_[i];
      g[j] = s;
    }
    // Priors on the diagonal and in the linear term.
    std::vector<double> diag(n), lin(n, 0.0);
    for (int j = 0; j < n; ++j) {
      diag[j] = h[size_t(j) * n + j];
      if (j < kNumAus) {
        diag[j] += 2 * settings_.ridge;
        lin[j] = settings_.sparsity * settings_.sparsity_scale[j];
      } else {
        float s = identity_[j - kNumAus].sigma;
        diag[j] += 1.0 / (s * s);
      }
    }
    // Coordinate descent: x_j ← argmin over x_j of the quadratic, clamped to the AU bounds.
    for (int sweep = 0; sweep < 400; ++sweep) {
      double change = 0;
      for (int j = 0; j < n; ++j) {
        if (diag[j] <= 0) continue;
        const double* hj = &h[size_t(j) * n];
        double grad = -g[j] + lin[j];
        for (int k = 0; k < n; ++k) grad += hj[k] * x[k];
        grad += (diag[j] - hj[j]) * x[j];
        double xj = x[j] - grad / diag[j];
        if (j < kNumAus) xj = std::clamp(xj, 0.0, double(upper));
        change = std::max(change, std::abs(xj - x[j]));
        x[j] = xj;
      }
      if (change < 1e-5) break;
    }
  }

  AuFit out;
  for (int k = 0; k < kNumAus; ++k) out.aus[k] = float(x[k]);
  for (int j = kNumAus; j < n; ++j) out.identity.push_back(float(x[j]));
  out.neutral = rest_;
  for (int j = kNumAus; j < n; ++j) {
    const auto& f = identity_[j - kNumAus].field;
    for (int v = 0; v < kPoints; ++v) out.neutral[v] += float(x[j]) * cv::Point3f(f[v][0], f[v][1], f[v][2]);
  }
  auto d = displacement(out.aus);
  double err = 0, wsum = 0;
  for (int v = 0; v < kPoints; ++v) {
    cv::Point3f r = aligned[v] - out.neutral[v] - d[v];
    const float* w = &weight_[3 * v];
    err += w[0] * r.x * r.x + w[1] * r.y * r.y + w[2] * r.z * r.z;
    wsum += w[0];
  }
  out.residual_cm = std::sqrt(err / wsum);
  return out;
}

}  // namespace auhead::au_estimation
