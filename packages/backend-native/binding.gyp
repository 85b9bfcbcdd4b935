{
  # Three addons, each built when its toolchain is there (scripts/install.mjs sets the flags):
  # convkit_native (oneDNN, CPU), convkit_cuda (nvcc-compiled kernels, the GPU) and
  # convkit_cuda_emulated (the same kernels compiled as C++ and run on the CPU, for tests).
  "variables": {
    "with_onednn%": "1",
    "with_cuda%": "0",
    "cuda_home%": "/usr/local/cuda",
    "napi_include": "<!(node -p \"require('node-addon-api').include_dir\")",
    "napi_defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cuda_glue": [
      "native/args.cc",
      "native/cuda/addon.cc",
      "native/cuda/allocator.cc",
      "native/cuda/elementwise_bindings.cc",
      "native/cuda/copy_bindings.cc",
      "native/cuda/reduce_bindings.cc",
      "native/cuda/matmul_bindings.cc",
      "native/cuda/conv_bindings.cc",
      "native/cuda/pool_bindings.cc",
      "native/cuda/norm_bindings.cc",
      "native/cuda/depthwise_bindings.cc"
    ]
  },
  "targets": [
    {
      "target_name": "convkit_cuda_emulated",
      "sources": [
        "<@(cuda_glue)",
        "native/cuda/emulate.cc",
        "native/cuda/runtime_emulate.cc",
        "native/cuda/emulate_kernels.cc",
        "native/cuda/emulator_selftest.cc"
      ],
      "include_dirs": ["<(napi_include)"],
      "defines": ["<@(napi_defines)", "CONVKIT_CUDA_EMULATE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-std=c++17", "-O2", "-fvisibility=hidden"]
    }
  ],
  "conditions": [
    ["with_onednn==1", {
      "targets": [
        {
          "target_name": "convkit_native",
          "sources": [
            "native/args.cc",
            "native/addon.cc",
            "native/conv.cc",
            "native/matmul.cc",
            "native/pool.cc",
            "native/norm.cc",
            "native/elementwise.cc",
            "native/reduce.cc",
            "native/omp_wait_policy.cc"
          ],
          "include_dirs": ["<(napi_include)"],
          "defines": ["<@(napi_defines)"],
          "cflags!": ["-fno-exceptions"],
          "cflags_cc!": ["-fno-exceptions", "-O2"],
          "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fvisibility=hidden"],
          # initfirst: omp_wait_policy.cc must set libgomp's wait policy before libgomp reads it.
          "ldflags": ["-Wl,-z,initfirst"],
          "libraries": ["-ldnnl", "-fopenmp"]
        }
      ]
    }],
    ["with_cuda==1", {
      "targets": [
        {
          # The kernels and runtime_cuda.cu are compiled by nvcc into build/cuda/libconvkit_kernels.a
          # (scripts/cuda.mjs); cudart is linked statically so that the addon loads without CUDA installed.
          "target_name": "convkit_cuda",
          "sources": ["<@(cuda_glue)"],
          "include_dirs": ["<(napi_include)"],
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
    }]
  ]
}
