#!/usr/bin/env bash
# Export one seed model from the Hugging Face Hub to an ONNX bundle folder streamnlp can load.
#
#   model-store/seeds/export.sh <seed-name> <out-dir> [extra optimum-cli options...]
#
# Needs internet access (the Hub) and Optimum's ONNX exporter:
#   pip install "optimum[exporters]"           # optimum 1.x
#   (newer releases moved the exporter to:  pip install "optimum-onnx[onnxruntime]")
# It runs `optimum-cli export onnx --model <id> --task <task> <out-dir>` and copies the seed's
# bundle.json into <out-dir>. Extra options go to optimum-cli unchanged (e.g. --opset 17,
# --device cuda, --cache_dir DIR).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
    cat >&2 <<USAGE
usage: $0 <seed-name> <out-dir> [extra optimum-cli options...]
seeds:
  bert-large-ner              dslim/bert-large-NER                                       token-classification
  roberta-large-ner-english   Jean-Baptiste/roberta-large-ner-english                    token-classification
  distilbert-uncased-conll03  elastic/distilbert-base-uncased-finetuned-conll03-english  token-classification
  bert-base-ner               dslim/bert-base-NER                                        token-classification
  roberta-base-ag-news        textattack/roberta-base-ag-news                            text-classification
USAGE
    exit 2
}

[ $# -ge 2 ] || usage
seed="$1"; out="$2"; shift 2

case "$seed" in
    bert-large-ner)             model=dslim/bert-large-NER;                                      task=token-classification ;;
    roberta-large-ner-english)  model=Jean-Baptiste/roberta-large-ner-english;                   task=token-classification ;;
    distilbert-uncased-conll03) model=elastic/distilbert-base-uncased-finetuned-conll03-english; task=token-classification ;;
    bert-base-ner)              model=dslim/bert-base-NER;                                       task=token-classification ;;
    roberta-base-ag-news)       model=textattack/roberta-base-ag-news;                           task=text-classification ;;
    *) echo "unknown seed '$seed'" >&2; usage ;;
esac

if ! command -v optimum-cli >/dev/null 2>&1; then
    echo "optimum-cli not found: pip install \"optimum[exporters]\" (or \"optimum-onnx[onnxruntime]\")" >&2
    exit 3
fi

echo "exporting $model ($task) to $out"
optimum-cli export onnx --model "$model" --task "$task" "$@" "$out"
cp "$here/$seed/bundle.json" "$out/bundle.json"

missing=0
for f in model.onnx tokenizer.json config.json bundle.json; do
    if [ ! -f "$out/$f" ]; then
        echo "missing $out/$f" >&2
        missing=1
    fi
done
[ "$missing" -eq 0 ] || exit 1

echo "bundle ready: $out"
case "$task" in
    token-classification)
        echo "  ./streamnlp run --set ner.model=$out"
        echo "  ./streamnlp eval ../shared/datasets/conll2003/eng.testa --set ner.model=$out" ;;
    text-classification)
        echo "  ./streamnlp run --set topic.model=$out"
        echo "  ./streamnlp eval ../shared/datasets/ag_news/dev.csv --set topic.model=$out" ;;
esac
