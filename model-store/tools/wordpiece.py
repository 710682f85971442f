"""Pure-Python re-implementation of the HF `tokenizers` pipeline described by the MiniLM
tokenizer.json (BertNormalizer -> BertPreTokenizer -> WordPiece -> [CLS] A [SEP]).

The Java side runs the Rust HF tokenizer on the same file; training labels are attached to
pre-tokenized words, so the normalizer/pre-tokenizer here must split exactly like it.
"""
import json
import unicodedata


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def _is_whitespace(ch):
    # Only reached for non-control chars (controls are dropped first, as in Rust).
    return ch.isspace()


def _is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_punct(ch):
    # Rust: char::is_ascii_punctuation() || unicode general category P*
    o = ord(ch)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


class WordPieceTokenizer:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        norm, model = spec["normalizer"], spec["model"]
        assert norm["type"] == "BertNormalizer" and model["type"] == "WordPiece"
        self.lowercase = norm["lowercase"]
        # strip_accents=None means "follow lowercase" in HF tokenizers.
        sa = norm.get("strip_accents")
        self.strip_accents = self.lowercase if sa is None else sa
        self.clean_text = norm["clean_text"]
        self.chinese = norm["handle_chinese_chars"]
        self.vocab = model["vocab"]
        self.unk = model["unk_token"]
        self.prefix = model["continuing_subword_prefix"]
        self.max_chars = model["max_input_chars_per_word"]
        self.cls_id, self.sep_id, self.pad_id = self.vocab["[CLS]"], self.vocab["[SEP]"], self.vocab["[PAD]"]

    def normalize(self, text):
        out = []
        for ch in text:
            if self.clean_text:
                if ch == "\0" or ch == "\ufffd" or _is_control(ch):
                    continue
                if _is_whitespace(ch):
                    ch = " "
            if self.chinese and _is_chinese(ord(ch)):
                out.append(" " + ch + " ")
            else:
                out.append(ch)
        text = "".join(out)
        if self.strip_accents:
            text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        if self.lowercase:
            text = text.lower()
        return text

    @staticmethod
    def pre_tokenize(text):
        """Split on whitespace (dropped) and punctuation (each its own word)."""
        words, cur = [], []
        for ch in text:
            if ch.isspace():
                if cur:
                    words.append("".join(cur))
                    cur = []
            elif _is_punct(ch):
                if cur:
                    words.append("".join(cur))
                    cur = []
                words.append(ch)
            else:
                cur.append(ch)
        if cur:
            words.append("".join(cur))
        return words

    def words(self, text):
        return self.pre_tokenize(self.normalize(text))

    def wordpiece(self, word):
        if len(word) > self.max_chars:
            return [self.vocab[self.unk]]
        ids, start = [], 0
        while start < len(word):
            end, cur = len(word), None
            while start < end:
                sub = word[start:end] if start == 0 else self.prefix + word[start:end]
                if sub in self.vocab:
                    cur = self.vocab[sub]
                    break
                end -= 1
            if cur is None:
                return [self.vocab[self.unk]]
            ids.append(cur)
            start = end
        return ids

    def encode(self, text, max_length=None):
        """Returns (ids, word_ids) with [CLS]/[SEP]; word_ids is None for special tokens."""
        ids, wids = [self.cls_id], [None]
        for w, word in enumerate(self.words(text)):
            for p in self.wordpiece(word):
                ids.append(p)
                wids.append(w)
        if max_length is not None and len(ids) > max_length - 1:
            ids, wids = ids[: max_length - 1], wids[: max_length - 1]
        return ids + [self.sep_id], wids + [None]
