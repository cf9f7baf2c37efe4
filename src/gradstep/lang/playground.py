"""The playground page's words, in English and in Chinese (the same keys in both; every key starts with "pg.")."""

PLAYGROUND = {
    "en": {
    },
    "zh": {
    },
}
