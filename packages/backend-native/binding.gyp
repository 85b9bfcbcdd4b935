{
  # One addon, built when oneDNN is there (scripts/install.mjs checks): convkit_native.
  # The CUDA backend is @convkit/backend-cuda. Both read their arguments and the window
  # formula from @convkit/backend's include/ folder (convkit/args.h, convkit/geometry.h).
  "variables": {
    "napi_include": "<!(node -p \"require('node-addon-api').include_dir\")",
    "convkit_include": "<!(node -p \"require('path').join(require('path').dirname(require.resolve('@convkit/backend/package.json')), 'include')\")"
  },
  "targets": [
    {
      "target_name": "convkit_native",
      "sources": [
        "native/addon.cc",
        "native/conv.cc",
        "native/matmul.cc",
        "native/pool.cc",
        "native/norm.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/optimizer.cc",
        "native/omp_wait_policy.cc"
      ],
      "include_dirs": ["<(napi_include)", "<(convkit_include)"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fvisibility=hidden"],
      # initfirst: omp_wait_policy.cc must set libgomp's wait policy before libgomp reads it.
      "ldflags": ["-Wl,-z,initfirst"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
