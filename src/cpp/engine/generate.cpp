#include "engine/generate.h"

#include <algorithm>

#include "common/error.h"
#include "common/log.h"

namespace pyllm::engine {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

Generator::Generator(std::shared_ptr<Session> session) : session_(std::move(session)) {
    PYLLM_CHECK(session_ != nullptr, InvalidArgument, "Generator needs a session");
}

void Generator::reset() {
    std::lock_guard<std::mutex> lock(mu_);
    session_->reset();
    history_.clear();
    pending_ = -1;
    logits_ = nullptr;
    reason_ = StopReason::Length;
}

bool Generator::is_eog(int32_t id) const { return std::binary_search(eog_.begin(), eog_.end(), id); }

void Generator::start(const std::vector<int32_t>& prompt, const GenerateParams& p,
                      const std::function<bool()>& keep_going) {
    std::lock_guard<std::mutex> lock(mu_);
    Session& s = *session_;
    const int64_t n = (int64_t)prompt.size();
    const int64_t n_ctx = s.n_ctx();
    PYLLM_CHECK(n >= 1, InvalidArgument, "the prompt is empty: at least one token is needed");
    PYLLM_CHECK(n < n_ctx, InvalidArgument, "the prompt has ", n, " tokens but the context window holds n_ctx = ",
                n_ctx, " (at least one position must stay free to generate)");
    PYLLM_CHECK(p.max_tokens >= 0, InvalidArgument, "max_tokens must be >= 0, got ", p.max_tokens);
    PYLLM_CHECK(p.n_logprobs >= -1, InvalidArgument, "logprobs must be >= 0, got ", p.n_logprobs);
    p.sampling.validate();
    for (int64_t i = 0; i < n; ++i)
        PYLLM_CHECK(prompt[(size_t)i] >= 0 && prompt[(size_t)i] < s.n_vocab(), OutOfRange, "prompt token id ",
                    prompt[(size_t)i], " at index ", i, " is out of range for a vocabulary of ", s.n_vocab(),
                    " tokens");

    params_ = p;
    eog_ = p.eog_ids;
    std::sort(eog_.begin(), eog_.end());
    sampler_ = std::make_unique<sampling::Sampler>(p.sampling, (int32_t)s.n_vocab());
    max_tokens_ = p.max_tokens == 0 ? n_ctx - n : std::min(p.max_tokens, n_ctx - n);
    pending_ = -1;
    logits_ = nullptr;
    reason_ = StopReason::Length;  // until start() completes, a failed start leaves it finished
    stats_ = GenerateStats{};
    stats_.n_prompt = n;
    prompt_lp_.clear();

    // Reuse the longest shared prefix, but evaluate at least the last prompt token (its logits).
    if (s.n_past() != (int64_t)history_.size()) history_.clear();  // someone else used the session
    int64_t keep = 0;
    if (p.reuse_prefix && !p.prompt_logprobs) {
        const int64_t lim = std::min<int64_t>((int64_t)history_.size(), n - 1);
        while (keep < lim && history_[(size_t)keep] == prompt[(size_t)keep]) ++keep;
    }
    s.truncate(std::min<int64_t>(keep, s.n_past()));
    keep = s.n_past();
    history_.resize((size_t)keep);
    stats_.n_prompt_reused = keep;

    s.model().prepare();  // the one-time x8 repack (model.h) is load work, not prompt time
    const auto t0 = Clock::now();
    const int64_t n_vocab = s.n_vocab();
    const int64_t chunk = std::max<int64_t>(1, p.prompt_logprobs ? std::min<int64_t>(p.prefill_chunk, 32)
                                                                 : p.prefill_chunk);
    std::vector<float> all;  // [chunk][n_vocab] when prompt_logprobs
    if (p.prompt_logprobs) all.resize((size_t)(chunk * n_vocab));
    for (int64_t done = keep; done < n;) {
        if (keep_going && done > keep && !keep_going()) return;  // reason_ stays Length (finished)
        const int64_t T = std::min(chunk, n - done);
        const float* last = s.eval(prompt.data() + done, T, p.prompt_logprobs ? all.data() : nullptr);
        if (p.prompt_logprobs) {
            // Row t predicts prompt[done + t + 1].
            for (int64_t t = 0; t < T && done + t + 1 < n; ++t)
                prompt_lp_.push_back(sampling::token_logprobs(all.data() + t * n_vocab, (int32_t)n_vocab,
                                                              prompt[(size_t)(done + t + 1)],
                                                              std::max(p.n_logprobs, 0)));
        }
        history_.insert(history_.end(), prompt.begin() + done, prompt.begin() + done + T);
        done += T;
        logits_ = last;
    }
    stats_.prompt_seconds = seconds_since(t0);
    for (int32_t id : prompt) sampler_->accept(id);
    reason_ = StopReason::None;
    log::info("prompt: ", n, " tokens (", keep, " reused from the cache) in ", stats_.prompt_seconds * 1e3, " ms");
}

bool Generator::next(TokenInfo& out) {
    std::lock_guard<std::mutex> lock(mu_);
    if (reason_ != StopReason::None) return false;
    if (stats_.n_generated >= max_tokens_) {
        reason_ = StopReason::Length;
        return false;
    }
    Session& s = *session_;
    const auto t0 = Clock::now();
    if (pending_ >= 0) {
        if (s.n_past() + 1 > s.n_ctx()) {
            reason_ = StopReason::ContextFull;
            return false;
        }
        logits_ = s.eval(&pending_, 1);
        history_.push_back(pending_);
        pending_ = -1;
    }
    const int32_t id = sampler_->sample(logits_);
    out.id = id;
    if (params_.n_logprobs >= 0)
        out.logprobs = sampling::token_logprobs(logits_, (int32_t)s.n_vocab(), id, params_.n_logprobs);
    stats_.decode_seconds += seconds_since(t0);
    if (is_eog(id)) {
        reason_ = StopReason::EndOfGeneration;
        return false;
    }
    sampler_->accept(id);
    pending_ = id;
    ++stats_.n_generated;
    return true;
}

std::vector<int32_t> generate(Generator& g, const std::vector<int32_t>& prompt, const GenerateParams& p,
                              const std::function<bool(const TokenInfo&)>& on_token,
                              const std::function<bool()>& keep_going) {
    g.start(prompt, p, keep_going);
    std::vector<int32_t> out;
    TokenInfo t;
    while (g.next(t)) {
        out.push_back(t.id);
        if (on_token && !on_token(t)) {
            g.stop();
            break;
        }
    }
    const GenerateStats& st = g.stats();
    if (st.n_generated > 0 && st.decode_seconds > 0)
        log::info("decode: ", st.n_generated, " tokens in ", st.decode_seconds * 1e3, " ms (",
                  (double)st.n_generated / st.decode_seconds, " tok/s)");
    return out;
}

}  // namespace pyllm::engine
