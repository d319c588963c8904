"""The domain's vocabularies and normalisers, shared by the stages that read text.

The extractor (`pipeline.extract`) reads sentences; the full-text parsers (`pipeline.parse`)
read table cells. Both must mean the same thing by "RCT", "US-guided", "6 mo" and "IPBSN", so
what they share lives here, in plain Python with no spaCy, and both import it:

* `vocab/*.json` and `vocabulary.load_vocab`: the cue and nerve vocabularies (data, not code);
* `numbers`: numbers as abstracts write them (digits, "1,024", "Twenty-six");
* `durations`: durations and their normalisation to days (day 1, week 7, month 30, year 365);
* `designs`: the design cues and the precedence between designs;
* `modalities`: the guidance cues and the order of modalities;
* `nerves`: the nerve lexicon (names, plurals, abbreviations, adjectives, joints) and a plain
  matcher for short texts such as table cells;
* `patterns`: how long cue lists are compiled to search fast.
* `keyscan`: the cue keys a text holds, every field's found in one pass (Aho-Corasick).

Data moves one way: `lexicon` imports nothing from the stages.
"""
