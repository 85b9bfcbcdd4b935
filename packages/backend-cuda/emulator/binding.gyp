{
  # The CUDA kernels compiled as C++ and run on the CPU, each block's threads as fibers: for tests
  # on machines without a GPU. Opt-in (scripts/emulator.mjs, `pnpm build:emulator`, or
  # CONVKIT_CUDA_EMULATOR=1 at install); its own folder, so building it never touches the GPU addon.
  "variables": {
    "napi_include": "<!(node -p \"require('node-addon-api').include_dir\")",
    "convkit_include": "<!(node -p \"require('path').join(require('path').dirname(require.resolve('@convkit/backend/package.json')), 'include')\")"
  },
  "includes": ["../glue.gypi"],
  "targets": [
    {
      "target_name": "convkit_cuda_emulated",
      "sources": [
        "<@(cuda_glue_files)",
        "../native/emulate.cc",
        "../native/runtime_emulate.cc",
        "../native/emulate_kernels.cc",
        "../native/emulator_selftest.cc"
      ],
      "include_dirs": ["<(napi_include)", "<(convkit_include)"],
      "defines": ["<@(napi_defines)", "CONVKIT_CUDA_EMULATE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-std=c++17", "-O2", "-fvisibility=hidden"]
    }
  ]
}
