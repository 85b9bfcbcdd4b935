{
  # The GPU addon, built by scripts/install.mjs only where nvcc is found: the kernels and
  # runtime_cuda.cu are compiled by nvcc into build/cuda/libconvkit_kernels.a (scripts/cuda.mjs);
  # cudart is linked statically so that the addon loads without CUDA installed. The CPU emulator
  # of the same kernels is emulator/binding.gyp (opt-in, for tests). Arguments and the window
  # formula come from @convkit/backend's include/ folder (convkit/args.h, convkit/geometry.h).
  "variables": {
    "cuda_home%": "/usr/local/cuda",
    "napi_include": "<!(node -p \"require('node-addon-api').include_dir\")",
    "convkit_include": "<!(node -p \"require('path').join(require('path').dirname(require.resolve('@convkit/backend/package.json')), 'include')\")"
  },
  "includes": ["glue.gypi"],
  "targets": [
    {
      "target_name": "convkit_cuda",
      "sources": ["<@(cuda_glue_files)"],
      "include_dirs": ["<(napi_include)", "<(convkit_include)"],
      "defines": ["<@(napi_defines)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-std=c++17", "-O2", "-fvisibility=hidden"],
      "libraries": [
        "<(module_root_dir)/build/cuda/libconvkit_kernels.a",
        "-L<(cuda_home)/lib64",
        "-lcudart_static",
        "-ldl",
        "-lrt",
        "-lpthread"
      ]
    }
  ]
}
