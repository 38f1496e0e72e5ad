# The library's modules (issue #15): each folder of src/ is one, declared in its CMakeLists.txt with
#   auhead_module(NAME DEPENDS <third-party targets> SOURCES <files> TORCH_SOURCES <files>)
# Files that include libtorch (directly or through a header) are listed under TORCH_SOURCES and
# compile against one precompiled <torch/torch.h> (auhead_torch_pch) shared by every module; the
# others never parse torch (a plain file that includes torch fails to compile: no torch headers on
# its include path). Each module becomes object libraries (auhead_<name>, auhead_<name>_torch) whose
# objects go into the one static archive libauhead.a, so a program links `auhead` alone. A .cpp under
# src/ that no module lists stops the configure step.
set(AUHEAD_MODULES core checkpoint au media face geometry au_estimation audio2au render eval train pipeline)

file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/generated/torch_pch.cpp CONTENT "// the shared precompiled <torch/torch.h>\n")
add_library(auhead_torch_pch OBJECT ${CMAKE_BINARY_DIR}/generated/torch_pch.cpp)
auhead_common(auhead_torch_pch)
target_link_libraries(auhead_torch_pch PUBLIC ${TORCH_LIBRARIES} opencv_core nlohmann_json::nlohmann_json)
target_precompile_headers(auhead_torch_pch PRIVATE <torch/torch.h>)

add_library(auhead STATIC)
auhead_common(auhead)

set(AUHEAD_LISTED_SOURCES "")
function(auhead_module name)
  cmake_parse_arguments(M "" "" "DEPENDS;SOURCES;TORCH_SOURCES" ${ARGN})
  list(TRANSFORM M_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
  list(TRANSFORM M_TORCH_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
  if(M_SOURCES)
    add_library(auhead_${name} OBJECT ${M_SOURCES})
    auhead_common(auhead_${name})
    target_link_libraries(auhead_${name} PRIVATE ${M_DEPENDS})
    target_sources(auhead PRIVATE $<TARGET_OBJECTS:auhead_${name}>)
  endif()
  if(M_TORCH_SOURCES)
    add_library(auhead_${name}_torch OBJECT ${M_TORCH_SOURCES})
    auhead_common(auhead_${name}_torch)
    target_link_libraries(auhead_${name}_torch PRIVATE ${TORCH_LIBRARIES} ${M_DEPENDS})
    target_precompile_headers(auhead_${name}_torch REUSE_FROM auhead_torch_pch)
    target_sources(auhead PRIVATE $<TARGET_OBJECTS:auhead_${name}_torch>)
  endif()
  set(AUHEAD_LISTED_SOURCES ${AUHEAD_LISTED_SOURCES} ${M_SOURCES} ${M_TORCH_SOURCES} PARENT_SCOPE)
endfunction()

foreach(module IN LISTS AUHEAD_MODULES)
  include(${CMAKE_SOURCE_DIR}/src/${module}/CMakeLists.txt)
endforeach()

# Every source file belongs to a module.
file(GLOB_RECURSE AUHEAD_ALL_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/*.cpp)
foreach(src IN LISTS AUHEAD_ALL_SOURCES)
  if(NOT src IN_LIST AUHEAD_LISTED_SOURCES)
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${src})
    message(FATAL_ERROR "${rel} is listed in no module: add it to src/<module>/CMakeLists.txt")
  endif()
endforeach()
