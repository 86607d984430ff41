# The load generator's codecs, then the generator against the bench server, every mode
# briefly, with 1 and 2 shards.
if(TARGET unit_bench)
  add_test(NAME unit.bench COMMAND unit_bench)
endif()
if(TARGET switchboard-bench AND TARGET bench_server)
  foreach(shards 1 2)
    add_test(NAME integration.bench.shards${shards}
             COMMAND ${SB_SYSTEM_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/bench_smoke_test.py)
    set_tests_properties(integration.bench.shards${shards} PROPERTIES
      ENVIRONMENT "SB_BENCH_SERVER=$<TARGET_FILE:bench_server>;SB_BENCH=$<TARGET_FILE:switchboard-bench>;SB_SHARDS=${shards};PYTHONDONTWRITEBYTECODE=1"
      TIMEOUT 120
      # The generator busy-polls and its windows are short: beside Chromium or a compiler on
      # two cores the server starves and a window can end empty.
      RUN_SERIAL TRUE)
  endforeach()
  # The codec micro-benchmarks, one iteration each, once.
  if(TARGET micro_bench)
    set_property(TEST integration.bench.shards1 APPEND PROPERTY
      ENVIRONMENT "SB_MICRO_BENCH=$<TARGET_FILE:micro_bench>")
  endif()
endif()
