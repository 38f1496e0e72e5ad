# Included by CMakeLists.txt with -DAUHEAD_DIFFUSION_BENCH_ONLY=ON: builds bench_diffusion alone from the
# diffusion modules and the loaders they use, needing only libtorch and the nlohmann/json header, for a
# GPU machine whose pip-installed PyTorch is the only libtorch and that lacks OpenCV, FFmpeg, ICU, CLI11
# and GTest (scripts/gpu-bench.sh). Linking nothing C++ but libtorch, it also works with either C++ ABI.

# nlohmann/json: its CMake package, else the bare header (e.g. copied into the checkout's ignored
# .gpu-deps/include by `scripts/gpu-bench.sh --prepare`).
find_package(nlohmann_json QUIET)
if(NOT TARGET nlohmann_json::nlohmann_json)
  find_path(AUHEAD_NLOHMANN_JSON_INCLUDE nlohmann/json.hpp
            HINTS ${CMAKE_SOURCE_DIR}/.gpu-deps/include ${TORCH_INCLUDE_DIRS})
  if(NOT AUHEAD_NLOHMANN_JSON_INCLUDE)
    message(FATAL_ERROR "nlohmann/json.hpp not found: run `bash scripts/gpu-bench.sh --prepare` on a machine "
                        "with Debian's nlohmann-json3-dev and carry .gpu-deps/, or pass -DAUHEAD_NLOHMANN_JSON_INCLUDE=DIR")
  endif()
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${AUHEAD_NLOHMANN_JSON_INCLUDE})
endif()

# The diffusion modules without the renderer (media, face analysis, warping) or the parity runner.
file(GLOB AUHEAD_DIFFUSION_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/render/diffusion/*.cpp)
list(REMOVE_ITEM AUHEAD_DIFFUSION_SOURCES ${CMAKE_SOURCE_DIR}/src/render/diffusion/diffusion_renderer.cpp
     ${CMAKE_SOURCE_DIR}/src/render/diffusion/parity.cpp)
foreach(src core/atomic_file core/error core/input_file core/json_text checkpoint/mapped_file checkpoint/safetensors checkpoint/state_dict checkpoint/zip_directory
            checkpoint/torch_checkpoint render/sampling_options)
  list(APPEND AUHEAD_DIFFUSION_SOURCES ${CMAKE_SOURCE_DIR}/src/${src}.cpp)
endforeach()

add_library(auhead_diffusion STATIC ${AUHEAD_DIFFUSION_SOURCES})
auhead_common(auhead_diffusion)
target_link_libraries(auhead_diffusion PUBLIC ${TORCH_LIBRARIES} nlohmann_json::nlohmann_json Threads::Threads)
target_precompile_headers(auhead_diffusion PRIVATE <torch/torch.h>)

add_executable(bench_diffusion ${CMAKE_SOURCE_DIR}/bench/bench_diffusion.cpp)
auhead_common(bench_diffusion)
target_link_libraries(bench_diffusion PRIVATE auhead_diffusion)
set_target_properties(bench_diffusion PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
