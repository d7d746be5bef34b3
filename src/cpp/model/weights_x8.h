// weights_x8.h — move a model's matrices to the x8 layout (quant/repack.h) for faster decode.
//
// Which matrices: the per-layer projections and the output head, where the type has an x8 layout and
// the active kernel table x8 kernels for it (matvec_x8 and pack_x8: the SIMD levels). The token
// embedding keeps its rows (lookups read single rows), so a tied head gets its own x8 copy.
// The repacked bytes live in one BigBuffer; each source range in the file mapping is released
// afterwards (MappedFile::release), so resident memory ends about where the mapped weights would
// have put it.
#pragma once

#include "common/big_buffer.h"
#include "common/thread_pool.h"
#include "gguf/gguf_reader.h"
#include "model/weights.h"

namespace pyllm::model {

// Repack in place (QMatrix::data now points into `buf`, x8 = true). Returns the number of matrices
// moved. Uses the pool's threads.
int repack_weights_x8(Weights& w, const gguf::File& f, ThreadPool& pool, BigBuffer& buf);

}  // namespace pyllm::model
