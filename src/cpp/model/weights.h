// weights.h — tensor views into the mapped GGUF file, bound by name with every shape checked.
//
// Matrices stay in the mapping (zero copy, any GGML type matmul accepts); 1-D tensors (norm
// weights, biases) are small and are converted to owned float32 vectors once at load.
// A missing or mis-shaped tensor throws FormatError naming the tensor and the expected shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_reader.h"
#include "kernels/matmul.h"
#include "model/config.h"

namespace pyllm::model {

using Vec = std::vector<float>;  // empty = absent

struct LayerWeights {
    Vec attn_norm, attn_norm_b;          // [n_embd]
    QMatrix wq{}, wk{}, wv{};            // [q_dim][n_embd], [kv_dim][n_embd], [kv_dim][n_embd]
    QMatrix wqkv{};                      // fused: [q_dim + 2 kv_dim][n_embd]
    Vec bq, bk, bv;                      // [q_dim], [kv_dim], [kv_dim]
    Vec bqkv;                            // fused: [q_dim + 2 kv_dim]
    Vec q_norm, k_norm;                  // [head_dim]
    QMatrix wo{};                        // [n_embd][q_dim]
    Vec bo;                              // [n_embd]
    Vec post_attn_norm;                  // [n_embd]
    Vec ffn_norm, ffn_norm_b;            // [n_embd]
    QMatrix w_gate{}, w_up{};            // [n_ff][n_embd]
    Vec b_up;                            // [n_ff]
    QMatrix w_down{};                    // [n_embd][n_ff]
    Vec b_down;                          // [n_embd]
    Vec post_ffn_norm;                   // [n_embd]
};

struct Weights {
    QMatrix tok_embd{};     // [n_vocab][n_embd]
    QMatrix pos_embd{};     // [n_ctx_train][n_embd] (learned positions; data == nullptr if absent)
    Vec output_norm, output_norm_b;  // [n_embd]
    QMatrix output{};       // [n_vocab][n_embd] (== tok_embd when tied)
    bool tied_output = false;
    Vec rope_freqs;         // [n_rot/2] frequency divisors (llama 3), empty if absent
    std::vector<LayerWeights> layers;
    uint64_t matrix_bytes = 0;  // bytes of all bound matrices (a decode step reads about this much)
};

// Binds tensors of one file, checking names and shapes.
class Binder {
public:
    explicit Binder(const gguf::File& f) : f_(f) {}
    // A matrix [n_out][n_in] (GGUF ne = {n_in, n_out}). required=false: returns data == nullptr if absent.
    QMatrix matrix(const std::string& name, int64_t n_in, int64_t n_out, bool required = true);
    // A vector [n] converted to float32. required=false: empty if absent.
    Vec vector(const std::string& name, int64_t n, bool required = true);
    bool has(const std::string& name) const { return f_.find_tensor(name) != nullptr; }
    uint64_t matrix_bytes() const { return matrix_bytes_; }

private:
    const gguf::File& f_;
    uint64_t matrix_bytes_ = 0;
};

}  // namespace pyllm::model
