#!/usr/bin/env bash
# Checks the AVX512-VNNI code paths of the quantized kernels on any AVX2 CPU.
#
# The AVX-512 level (qdot_avx512.cpp) runs only where the CPU has AVX-512, so on other machines its
# tests are skipped. This builds pyllm a second time, into a temporary directory, with
# -DPYLLM_EMULATE_VNNI=ON: the AVX2 table is then compiled from the VNNI branches of qdot_x86.inc /
# qpanel_x86.inc / qmatvec_x86.inc with vpdpbusd emulated by AVX2 instructions (exact: the same
# integer sums), and the kernel and engine tests run against that build. What it cannot check: the
# AVX-512 compiler flags themselves and the real instruction's speed.
#
#   bash tools/check_vnni_emulated.sh            (from the repository root; PYLLM_TEST_DATA as for the tests)
# Extra pip arguments (e.g. --no-build-isolation) may be passed in PIP_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python -c 'import pyllm._core as c, sys; sys.exit(0 if "avx2" in c.available_isas() else 1)' 2>/dev/null || {
  echo "check_vnni_emulated: needs an AVX2 CPU (and an installed pyllm to ask)" >&2; exit 1; }
echo "check_vnni_emulated: building with PYLLM_EMULATE_VNNI=ON into $tmp"
# shellcheck disable=SC2086
python -m pip install -q --no-deps --target "$tmp/site" -C cmake.define.PYLLM_EMULATE_VNNI=ON \
  -C build-dir="$tmp/build" ${PIP_ARGS:-} .
PYTHONPATH="$tmp/site" PYLLM_ISA=avx2 PYLLM_EXPECT_EMULATED_VNNI=1 \
  python -m pytest -q -p no:cacheprovider tests/test_dispatch.py tests/test_kernels_quant.py tests/test_engine.py
