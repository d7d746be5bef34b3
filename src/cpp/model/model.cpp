#include "model/model.h"

#include <chrono>

#include "common/error.h"
#include "common/log.h"
#include "gguf/gguf_metadata.h"
#include "kernels/cpu_features.h"
#include "model/arch.h"
#include "model/weights_x8.h"

namespace pyllm::model {

std::shared_ptr<Model> Model::load(const std::string& path, const ModelParams& params) {
    return from_file(gguf::File::open(path), params);
}

std::shared_ptr<Model> Model::from_file(std::shared_ptr<gguf::File> file, const ModelParams& params) {
    PYLLM_CHECK(params.n_threads >= 0 && params.n_threads <= 1024, InvalidArgument,
                "n_threads must be in [1, 1024] (or 0 for the physical core count), got ", params.n_threads);
    std::shared_ptr<Model> m(new Model());
    m->file_ = std::move(file);
    gguf::Metadata md(*m->file_);
    const std::string arch = md.get_string("general.architecture");
    const ArchSpec& spec = find_architecture(arch);
    m->config_.arch = arch;
    spec.load(*m->file_, md, m->config_, m->weights_);

    if (auto bos = md.opt_uint("tokenizer.ggml.bos_token_id")) {
        if (*bos < (uint64_t)m->config_.n_vocab) m->bos_id_ = (int32_t)*bos;
    }
    // llama.cpp's default: SentencePiece vocabularies add BOS, BPE (gpt2-style) ones do not.
    const std::string tok_model = md.opt_string("tokenizer.ggml.model").value_or("");
    m->add_bos_ = md.opt_bool("tokenizer.ggml.add_bos_token").value_or(tok_model == "llama");

    int n = params.n_threads > 0 ? params.n_threads : cpu_features().physical_cores;
    m->pool_ = std::make_unique<ThreadPool>(n < 1 ? 1 : n);
    m->repack_ = params.repack;
    return m;
}

void Model::prepare() const {
    std::call_once(prepared_, [this] {
        if (!repack_) return;
        // The one mutation of a loaded model, done before any session reads the matrices (every
        // reader passes through this call_once first).
        Model& self = const_cast<Model&>(*this);
        const auto t0 = std::chrono::steady_clock::now();
        n_repacked_ = repack_weights_x8(self.weights_, *file_, *pool_, x8_);
        if (n_repacked_ > 0)
            log::info("x8 layout: ", n_repacked_, " matrices, ", x8_.size() >> 20, " MiB, repacked in ",
                      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(), " ms");
    });
}

}  // namespace pyllm::model
