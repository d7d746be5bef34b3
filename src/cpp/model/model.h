// model.h — an immutable, shareable model: config + weight views into the mapped GGUF file,
// and the persistent thread pool its sessions run on.
//
//   auto m = pyllm::model::Model::load("SmolLM2-135M-Instruct.Q4_1.gguf", {});
//   pyllm::engine::Session s(m, {});            // engine/session.h
//   const float* logits = s.eval(ids, n);       // [n_vocab] for the last token
//
// Loading maps the file and binds views: nothing proportional to the weights is read or copied
// (only the small norm/bias vectors are converted to float32).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "common/big_buffer.h"
#include "common/thread_pool.h"
#include "gguf/gguf_reader.h"
#include "model/config.h"
#include "model/weights.h"

namespace pyllm::model {

struct ModelParams {
    int n_threads = 0;  // 0: the number of physical cores
    // Move the matrices that have an x8 layout to it (model/weights_x8.h) before the first
    // evaluation: faster decode, at the cost of an owned copy of those matrices (their file pages are
    // released). false: every weight stays a zero-copy view into the mapped file.
    bool repack = true;
};

class Model {
public:
    // Throws IOError / FormatError (bad file, missing or mis-shaped tensor) / UnsupportedError
    // (unknown architecture, naming it and the supported ones).
    static std::shared_ptr<Model> load(const std::string& path, const ModelParams& params);
    static std::shared_ptr<Model> from_file(std::shared_ptr<gguf::File> file, const ModelParams& params);

    const Config& config() const { return config_; }
    const Weights& weights() const { return weights_; }
    // Repack the weights if the params ask for it, once (thread-safe; later calls return at once).
    // Sessions call it before their first forward pass, so loading stays a near-instant mapping.
    void prepare() const;
    int n_repacked() const { return n_repacked_; }  // matrices in the x8 layout (after prepare())
    const gguf::File& file() const { return *file_; }
    // The pool is shared by the model's sessions; ThreadPool::run serialises concurrent callers.
    ThreadPool& pool() const { return *pool_; }
    int n_threads() const { return pool_->size(); }

    int32_t bos_id() const { return bos_id_; }  // -1 if the vocabulary has none
    bool add_bos() const { return add_bos_; }   // tokenizer.ggml.add_bos_token (default by tokenizer model)

private:
    Model() = default;
    std::shared_ptr<gguf::File> file_;
    Config config_;
    Weights weights_;
    std::unique_ptr<ThreadPool> pool_;
    int32_t bos_id_ = -1;
    bool add_bos_ = false;
    bool repack_ = true;
    mutable std::once_flag prepared_;
    mutable BigBuffer x8_;      // the repacked matrices
    mutable int n_repacked_ = 0;
};

}  // namespace pyllm::model
