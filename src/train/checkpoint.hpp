// The training checkpoint (checkpoint.safetensors, safetensors layout): the weights as in
// model/weights.hpp plus SGD momentum buffers, the run's Rng state, the batches' generator state, torch's default CPU
// generator (dropout) and the iteration. Written atomically (temporary file, fsync, rename): a failed write keeps the
// previous file. Stage: train.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/rng.hpp"
#include "model/unet.hpp"
#include "model/weights.hpp"
#include "train/sgd.hpp"

namespace cmems {

/// `batch_state`: the generator state of the batches (methods/batch.hpp), saved as rng.batch.
void save_checkpoint(const std::string& path, const std::vector<UNet>& models, Sgd& opt,
                     Rng& rng, const torch::Tensor& batch_state, int64_t iteration, const RunInfo& info);
/// Restores everything save_checkpoint wrote (the batches' state into `batch_state`);
/// returns the iteration to continue from.
int64_t load_checkpoint(const std::string& path, std::vector<UNet>& models, Sgd& opt, Rng& rng,
                        torch::Tensor& batch_state);
}  // namespace cmems
