# libFuzzer harnesses for the readers auhead owns (tests/fuzz/README.md; scripts/fuzz.sh builds and runs
# them). Clang only: every harness and the library sources it needs are compiled with ASan + UBSan and
# libFuzzer's coverage instrumentation; libtorch, OpenCV, ICU and the C++ runtime are linked as they are
# (uninstrumented). Each harness compiles just its own list of src/ files, so that
#   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DAUHEAD_FUZZ=ON -DAUHEAD_BUILD_TESTS=OFF -DAUHEAD_BUILD_BENCH=OFF
#   ninja -C build-fuzz fuzz_au_file
# builds one harness without the library (the normal targets are configured too, but not built).
# Harnesses land in build-fuzz/fuzz/; `ninja -C build-fuzz auhead_fuzz` builds them all.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "AUHEAD_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()

set(AUHEAD_FUZZ_DIR ${CMAKE_SOURCE_DIR}/tests/fuzz)
# -O1 and line tables (not the Release -O2): fast enough to fuzz, readable stacks, shorter compiles.
# UBSan reports abort (-fno-sanitize-recover), so libFuzzer keeps the input.
set(AUHEAD_FUZZ_COMPILE_OPTIONS
    -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer
    -O1 -gline-tables-only -Wno-unknown-warning-option)
set(AUHEAD_FUZZ_LINK_OPTIONS -fsanitize=address,undefined,fuzzer)

add_custom_target(auhead_fuzz)

# Files that include libtorch (directly or through src/ headers) compile as C++17 with
# tests/fuzz/cxx17_compat.h: clang 14 cannot compile libtorch 1.13's headers as C++20 against libstdc++
# 12 (see that header). They share a precompiled <torch/torch.h> built with the same flags (the main
# build's auhead_torch PCH is GCC's, C++20); the other files of a harness stay C++20 without it.
set(AUHEAD_FUZZ_TORCH_OPTIONS -std=c++17 -include${AUHEAD_FUZZ_DIR}/cxx17_compat.h)
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/fuzz/torch_pch.cpp CONTENT "// the fuzz harnesses' precompiled <torch/torch.h>\n")
add_library(auhead_fuzz_torch_pch OBJECT ${CMAKE_BINARY_DIR}/fuzz/torch_pch.cpp)
auhead_common(auhead_fuzz_torch_pch)
target_compile_options(auhead_fuzz_torch_pch PRIVATE ${AUHEAD_FUZZ_COMPILE_OPTIONS})
target_link_libraries(auhead_fuzz_torch_pch PRIVATE ${TORCH_LIBRARIES} nlohmann_json::nlohmann_json)
target_precompile_headers(auhead_fuzz_torch_pch PRIVATE <torch/torch.h>)
# -fpch-instantiate-templates trips over the same libtorch headers.
set_target_properties(auhead_fuzz_torch_pch PROPERTIES CXX_STANDARD 17 PCH_INSTANTIATE_TEMPLATES OFF)
# The harnesses are executables, compiled -fPIE under the project's POSITION_INDEPENDENT_CODE; clang
# refuses a PCH made with other flags (this object library would get -fPIC).
set_target_properties(auhead_fuzz_torch_pch PROPERTIES POSITION_INDEPENDENT_CODE OFF)
target_compile_options(auhead_fuzz_torch_pch PRIVATE -fPIE)
set_source_files_properties(${CMAKE_BINARY_DIR}/fuzz/torch_pch.cpp PROPERTIES COMPILE_OPTIONS
                            "-include${AUHEAD_FUZZ_DIR}/cxx17_compat.h")

# Whether a file includes a torch header, itself or through the src/ and include/ headers it includes.
function(auhead_fuzz_uses_torch file out)
  set(todo ${file})
  set(seen "")
  while(todo)
    list(POP_FRONT todo f)
    if(f IN_LIST seen OR NOT EXISTS ${f})
      continue()
    endif()
    list(APPEND seen ${f})
    file(STRINGS ${f} torch_lines REGEX "#[ \t]*include[ \t]+[<\"](torch|ATen|c10|caffe2)/")
    if(torch_lines)
      set(${out} TRUE PARENT_SCOPE)
      return()
    endif()
    file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"[^\"]+\"")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[^\"]*\"([^\"]+)\".*$" "\\1" inc "${line}")
      foreach(dir src include)
        if(EXISTS ${CMAKE_SOURCE_DIR}/${dir}/${inc})
          list(APPEND todo ${CMAKE_SOURCE_DIR}/${dir}/${inc})
        endif()
      endforeach()
    endforeach()
  endwhile()
  set(${out} FALSE PARENT_SCOPE)
endfunction()

# The src/ files a set of sources needs, found from their #include "..." lines: a header
# src/X.h brings src/X.cpp when it exists, and the public headers bring the files that define them.
# Computed at configure time (the scanned files re-run CMake when they change), so a harness follows
# the readers as they are refactored; a symbol that lives elsewhere goes in the harness's SOURCES.
set(AUHEAD_FUZZ_PUBLIC_HEADER_SOURCES
    "auhead/error.h=core/error.cpp" "auhead/au.h=au/au_set.cpp" "auhead/au_sequence.h=au/au_sequence.cpp")
function(auhead_fuzz_closure out)
  set(todo ${ARGN})
  set(done "")
  while(todo)
    list(POP_FRONT todo rel)
    if(rel IN_LIST done)
      continue()
    endif()
    list(APPEND done ${rel})
    set(file ${CMAKE_SOURCE_DIR}/src/${rel})
    if(NOT EXISTS ${file})
      set(file ${CMAKE_SOURCE_DIR}/include/${rel})  # public headers: scanned, never compiled
    endif()
    if(NOT EXISTS ${file})
      continue()
    endif()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
    file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"[^\"]+\"")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[^\"]*\"([^\"]+)\".*$" "\\1" inc "${line}")
      if(EXISTS ${CMAKE_SOURCE_DIR}/include/${inc})
        list(APPEND todo ${inc})
      elseif(EXISTS ${CMAKE_SOURCE_DIR}/src/${inc})
        list(APPEND todo ${inc})
        string(REGEX REPLACE "\\.h$" ".cpp" impl "${inc}")
        if(NOT impl STREQUAL inc AND EXISTS ${CMAKE_SOURCE_DIR}/src/${impl})
          list(APPEND todo ${impl})
        endif()
      endif()
      foreach(pair IN LISTS AUHEAD_FUZZ_PUBLIC_HEADER_SOURCES)
        string(REPLACE "=" ";" pair "${pair}")
        list(GET pair 0 header)
        list(GET pair 1 impl)
        if(inc STREQUAL header)
          list(APPEND todo ${impl})
        endif()
      endforeach()
    endforeach()
  endwhile()
  list(FILTER done INCLUDE REGEX "\\.cpp$")
  list(SORT done)
  set(${out} ${done} PARENT_SCOPE)
endfunction()

# auhead_fuzz_harness(NAME [TORCH] SOURCES src-relative.cpp... [LIBRARIES lib...])
# builds tests/fuzz/NAME.cpp with the listed src/ files and what they include (auhead_fuzz_closure)
# into build-fuzz/fuzz/NAME.
function(auhead_fuzz_harness name)
  cmake_parse_arguments(PARSE_ARGV 1 F "TORCH" "" "SOURCES;LIBRARIES")
  auhead_fuzz_closure(sources ${F_SOURCES})
  list(TRANSFORM sources PREPEND ${CMAKE_SOURCE_DIR}/src/)
  add_executable(${name} ${AUHEAD_FUZZ_DIR}/${name}.cpp ${sources})
  auhead_common(${name})
  target_include_directories(${name} PRIVATE ${AUHEAD_FUZZ_DIR})
  target_compile_options(${name} PRIVATE ${AUHEAD_FUZZ_COMPILE_OPTIONS})
  target_link_options(${name} PRIVATE ${AUHEAD_FUZZ_LINK_OPTIONS})
  target_link_libraries(${name} PRIVATE nlohmann_json::nlohmann_json ${F_LIBRARIES})
  if(F_TORCH)
    target_link_libraries(${name} PRIVATE ${TORCH_LIBRARIES})
    target_precompile_headers(${name} REUSE_FROM auhead_fuzz_torch_pch)
    set_target_properties(${name} PROPERTIES PCH_INSTANTIATE_TEMPLATES OFF)
    foreach(src ${AUHEAD_FUZZ_DIR}/${name}.cpp ${sources})
      auhead_fuzz_uses_torch(${src} torch)
      if(torch)
        set_property(SOURCE ${src} TARGET_DIRECTORY ${name} PROPERTY COMPILE_OPTIONS ${AUHEAD_FUZZ_TORCH_OPTIONS})
      else()
        set_property(SOURCE ${src} TARGET_DIRECTORY ${name} PROPERTY SKIP_PRECOMPILE_HEADERS ON)
      endif()
    endforeach()
  endif()
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  add_dependencies(auhead_fuzz ${name})
  list(JOIN sources " " shown)
  string(REPLACE "${CMAKE_SOURCE_DIR}/src/" "" shown "${shown}")
  message(STATUS "fuzz: ${name}: ${shown}")
endfunction()

# SOURCES: the files that define what the harness calls (their includes bring the rest).
auhead_fuzz_harness(fuzz_au_file SOURCES au/au_json.cpp au/au_csv.cpp au/openface_import.cpp au/au_export.cpp)
auhead_fuzz_harness(fuzz_au_edit SOURCES au/au_edit.cpp)
auhead_fuzz_harness(fuzz_au_answer SOURCES audio2au/alm/au_answer.cpp audio2au/alm/au_answer_grammar.cpp)
auhead_fuzz_harness(fuzz_safetensors TORCH SOURCES checkpoint/safetensors.cpp checkpoint/torch_checkpoint.cpp)
auhead_fuzz_harness(fuzz_torch_checkpoint TORCH SOURCES checkpoint/torch_checkpoint.cpp)
auhead_fuzz_harness(fuzz_tflite TORCH SOURCES face/tflite_model.cpp face/tflite_interpreter.cpp
                    LIBRARIES flatbuffers::flatbuffers_shared)
auhead_fuzz_harness(fuzz_bpe_tokenizer SOURCES audio2au/alm/bpe_tokenizer.cpp LIBRARIES PkgConfig::ICU)
auhead_fuzz_harness(fuzz_model_config TORCH
                    SOURCES audio2au/alm/qwen2_audio_config.cpp render/diffusion/vae_config.cpp
                            render/diffusion/unet_config.cpp render/diffusion/noise_schedule.cpp
                            render/diffusion/ddim_scheduler.cpp render/diffusion/dpm_solver_scheduler.cpp
                            render/diffusion/schedule_fit.cpp render/diffusion/clip_vision_model.cpp core/json_text.cpp
                            render/sampling_options.cpp render/diffusion/render_config.cpp audio2au/alm/alm_settings.cpp
                            audio2au/alm/lora_adapter_config.cpp)
