// bind_engine.cpp — _core.Model and _core.Session (model/model.h, engine/session.h). Glue only.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "bindings/bindings.h"
#include "common/error.h"
#include "engine/session.h"
#include "model/arch.h"
#include "model/model.h"

namespace pyllm::bindings {

namespace {

using model::Model;
using engine::Session;
using IdArray = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;

const char* rope_name(model::RopeKind r) {
    switch (r) {
        case model::RopeKind::None: return "none";
        case model::RopeKind::Normal: return "normal";
        case model::RopeKind::Neox: return "neox";
    }
    return "?";
}

py::dict config_dict(const Model& m) {
    const model::Config& c = m.config();
    py::dict d;
    d["architecture"] = c.arch;
    d["n_vocab"] = c.n_vocab;
    d["n_ctx_train"] = c.n_ctx_train;
    d["n_embd"] = c.n_embd;
    d["n_layer"] = c.n_layer;
    d["n_head"] = c.n_head;
    d["n_kv_head"] = c.n_kv_head;
    d["head_dim"] = c.head_dim;
    d["n_ff"] = c.n_ff;
    d["norm_eps"] = c.norm_eps;
    d["rope"] = rope_name(c.rope);
    d["n_rot"] = c.n_rot;
    d["rope_base"] = c.rope_base;
    d["rope_scale"] = c.rope_scale;
    d["rope_base_swa"] = c.rope_base_swa;
    d["n_swa"] = c.n_swa;
    d["layer_swa"] = std::vector<bool>(c.layer_swa.begin(), c.layer_swa.end());
    d["attn_scale"] = c.attn_scale;
    d["final_softcap"] = c.final_softcap;
    d["tied_output"] = m.weights().tied_output;
    d["matrix_bytes"] = m.weights().matrix_bytes;
    return d;
}

// eval: the last token's logits as a read-only view of the session's buffer (kept alive by the
// view; overwritten by the next eval), or a fresh [n][n_vocab] array when all_logits.
py::array session_eval(py::object self, IdArray ids, bool all_logits) {
    Session& s = self.cast<Session&>();
    PYLLM_CHECK(ids.ndim() == 1, InvalidArgument, "eval expects a 1-D sequence of token ids, got ", ids.ndim(),
                " dimensions");
    const int64_t n = (int64_t)ids.size();
    const int32_t* p = ids.data();
    if (all_logits) {
        py::array_t<float> out({n, s.n_vocab()});
        float* dst = out.mutable_data();
        {
            py::gil_scoped_release nogil;
            s.eval(p, n, dst);
        }
        return std::move(out);
    }
    const float* logits;
    {
        py::gil_scoped_release nogil;
        logits = s.eval(p, n, nullptr);
    }
    py::array view(py::dtype::of<float>(), {s.n_vocab()}, {(py::ssize_t)sizeof(float)}, logits, self);
    view.attr("setflags")(py::arg("write") = false);
    return view;
}

}  // namespace

void register_engine(py::module_& m) {
    py::class_<Model, std::shared_ptr<Model>>(m, "Model")
        .def(py::init([](const std::string& path, int n_threads, bool repack) {
                 model::ModelParams p;
                 p.n_threads = n_threads;
                 p.repack = repack;
                 py::gil_scoped_release nogil;
                 return std::const_pointer_cast<Model>(Model::load(path, p));
             }),
             py::arg("path"), py::arg("n_threads") = 0, py::arg("repack") = true)
        .def("prepare", [](const Model& mm) {
                 py::gil_scoped_release nogil;
                 mm.prepare();
             })
        .def_property_readonly("n_repacked", &Model::n_repacked)
        .def_property_readonly("config", &config_dict)
        .def_property_readonly("n_threads", &Model::n_threads)
        .def_property_readonly("n_vocab", [](const Model& mm) { return mm.config().n_vocab; })
        .def_property_readonly("n_ctx_train", [](const Model& mm) { return mm.config().n_ctx_train; })
        .def_property_readonly("architecture", [](const Model& mm) { return mm.config().arch; })
        .def_property_readonly("bos_id", &Model::bos_id)
        .def_property_readonly("add_bos", &Model::add_bos)
        .def_static("supported_architectures", [] {
            std::vector<std::string> v;
            for (const auto& a : model::supported_architectures()) v.emplace_back(a.name);
            return v;
        });

    py::class_<Session, std::shared_ptr<Session>>(m, "Session")
        .def(py::init([](std::shared_ptr<Model> mm, int64_t n_ctx, int64_t n_batch, const std::string& kv_type) {
                 engine::SessionParams p;
                 p.n_ctx = n_ctx;
                 p.n_batch = n_batch;
                 p.kv_type = model::kv_type_from_name(kv_type);
                 return std::make_shared<Session>(mm, p);
             }),
             py::arg("model"), py::arg("n_ctx") = 2048, py::arg("n_batch") = 256, py::arg("kv_type") = "f16")
        .def("eval", &session_eval, py::arg("ids"), py::arg("all_logits") = false)
        .def("reset", &Session::reset)
        .def("truncate", &Session::truncate, py::arg("n"))
        .def_property_readonly("n_past", &Session::n_past)
        .def_property_readonly("n_ctx", &Session::n_ctx)
        .def_property_readonly("n_vocab", &Session::n_vocab)
        .def_property_readonly("kv_bytes", [](const Session& s) { return s.cache().bytes(); });
}

}  // namespace pyllm::bindings
