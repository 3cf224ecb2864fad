"""Attribution rules on the forms news uses, one sentence each, and on a real vox-pop article."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotes.extract import extract_attributions

POLNEAR_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear" / "dev"


def _find(doc, words):
    found = [a for a in extract_attributions(doc) if any(words in doc.text[s:e] for s, e in a.content)]
    assert found, f"no attribution holds {words!r}"
    return found[0]


def _content(doc, attribution):
    return " ".join(doc.text[s:e] for s, e in attribution.content)


def test_signed_quotation_takes_the_signature_as_speaker(parser):
    text = (
        "“I came here to vote for change and I will do it again.” ― Maria Lopez\n\nThe polls close at eight."
    )
    doc = parser(text)
    a = _find(doc, "vote for change")
    assert a.rule == "signature"
    assert a.kind == "direct"
    assert doc.text[a.speaker[0] : a.speaker[1]] == "Maria Lopez"


def test_dash_starting_a_sentence_is_not_a_signature(parser):
    doc = parser("“We will see.” — The senator left the room without another word.")
    assert not [a for a in extract_attributions(doc) if a.rule == "signature"]


def test_quoted_phrase_inside_a_reported_clause_is_mixed(parser):
    """The clause is the content, not just its quoted words, also when it ends with the quotation."""
    doc = parser("Only half of the voters agreed that the mayor is in “good enough health to serve.”")
    a = _find(doc, "good enough health")
    assert a.kind == "mixed"
    assert _content(doc, a).startswith("that the mayor is in")


def test_name_between_quotation_and_verb_is_the_speaker_not_content(parser):
    doc = parser(
        "“Our assumption is that the veto will be overridden,” Senate Leader Jane Doe, R-Ky., said today."
    )
    a = _find(doc, "Our assumption")
    assert "Jane Doe" not in _content(doc, a)
    assert "Jane Doe" in doc.text[a.speaker[0] : a.speaker[1]]


def test_a_wh_adverb_before_the_verb_stays_out_of_the_cue(parser):
    """PolNeAR's annotators never count "when" in "when asked" as cue (0 of 22 on train)."""
    doc = parser("When asked about the budget, the mayor said that the city would cut nothing.")
    cues = [doc.text[slice(*a.cue)] for a in extract_attributions(doc) if a.cue]
    assert "said" in cues
    assert not [c for c in cues if c.lower().startswith("when")]
    doc = parser("The mayor has also said that the city would cut nothing.")
    assert doc.text[slice(*_find(doc, "cut nothing").cue)] == "has also said"


def test_a_statement_is_found_once_when_two_rules_reach_it(parser):
    """The object rule and the xcomp rule both reach "detailed medical records"; after the
    boundary model moves "to disclose" into the cue they are the same attribution."""
    doc = parser("The governor has steadfastly refused to disclose detailed medical records.")
    found = [a for a in extract_attributions(doc) if "medical records" in _content(doc, a)]
    assert len(found) == 1
    assert doc.text[slice(*found[0].speaker)] == "The governor"


def test_each_turn_of_a_quoted_transcript_is_its_speakers_own(parser):
    text = (
        "The interview went on.\n\n"
        '"HOST: Why did the senator skip the vote on the budget last week?\n\n'
        '"DOE: Well, the question really should be why the budget came so late to the floor.\n\n'
        '"HOST: Do you think that the two are really the same thing?"\n\nThe senator left.'
    )
    doc = parser(text)
    labels = [a for a in extract_attributions(doc) if a.rule == "label"]
    turns = {text[slice(*a.speaker)]: _content(doc, a) for a in labels}
    assert turns["DOE"] == "Well, the question really should be why the budget came so late to the floor."
    assert all("\n" not in content for content in turns.values())


def test_statement_continues_after_a_medial_cue(parser):
    doc = parser("The company was a juggernaut, Mr. Clarke said, until it went bankrupt in 1999.")
    a = _find(doc, "juggernaut")
    assert _content(doc, a).endswith("until it went bankrupt in 1999")


@pytest.mark.parametrize(
    ("text", "speaker", "content"),
    [
        # the parser gives "said" both subjects; the one next to the verb is the speaker
        ("Many of the closures, he said, have involved public courses.", "he",
         ["Many of the closures", "have involved public courses"]),
        ("The rising cost of tuition is partly due to cuts in state funding, experts say.", "experts",
         ["The rising cost of tuition is partly due to cuts in state funding"]),
        # a phrase that opens the statement, before a cue set off by commas
        ("At the time, she said, the plant was still profitable.", "she",
         ["At the time", "the plant was still profitable"]),
    ],
)  # fmt: skip
def test_cue_set_off_by_commas_splits_its_content(parser, text, speaker, content):
    doc = parser(text)
    (a,) = extract_attributions(doc)
    assert doc.text[a.speaker[0] : a.speaker[1]] == speaker
    assert [doc.text[s:e] for s, e in a.content] == content


def test_raising_verb_takes_its_subject_into_the_content(parser):
    """ "seem" and "appear" are flagged ``raising`` in the mined verb list: their subject is
    what the view is about, not who holds it."""
    doc = parser("The governor seemed to welcome the ruling.")
    (a,) = extract_attributions(doc)
    assert a.extra["raising"]
    assert a.speaker is None
    assert _content(doc, a) == "The governor to welcome the ruling"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The two leaders are expected to sign the agreement in Cairo next week.",
            ["The two leaders", "to sign the agreement in Cairo next week"],
        ),
        (
            "The border crossing is known as the only way out of the territory.",
            ["The border crossing", "the only way out of the territory"],
        ),
    ],
)
def test_agentless_passive_takes_its_subject_into_the_content(parser, text, content):
    """PolNeAR's convention: an agentless passive has no source, and its subject is what the
    statement is about: "the talks | are expected | to resume"."""
    doc = parser(text)
    a = _find(doc, content[-1])
    assert a.speaker is None
    assert [doc.text[s:e] for s, e in a.content] == content


def test_a_learned_report_on_a_raising_verb_has_no_speaker(parser):
    """The argument model finds "seems like"; "seem" is a raising verb, so its subject is
    content, not a speaker, whichever stage found the report."""
    doc = parser("This seems like a fine and fair idea.")
    a = _find(doc, "a fine and fair idea")
    assert a.speaker is None
    assert [doc.text[s:e] for s, e in a.content] == ["This", "a fine and fair idea"]


@pytest.mark.parametrize(
    ("text", "source", "content"),
    [
        (
            "According to exit polls, the governor won a majority of young voters in the state.",
            "exit polls",
            "the governor won a majority of young voters in the state",
        ),
        (
            "The campaign has reserved air time in four states, according to media buying sources.",
            "media buying sources",
            "The campaign has reserved air time in four states",
        ),
    ],
)
def test_according_to_survives_a_source_parsed_as_a_clause(parser, text, source, content):
    """The parser tags "exit" and "media" as verbs and makes the source a clause; the words
    after "according to" still name the source, read from the tags."""
    doc = parser(text)
    a = _find(doc, content)
    assert a.kind == "according_to"
    assert doc.text[a.speaker[0] : a.speaker[1]] == source
    assert _content(doc, a) == content


@pytest.mark.parametrize(
    ("speaker", "clause"),
    [
        (
            "The economist",
            "a properly calibrated carbon price in the United States could effectively replace all the "
            "climate regulations",
        ),
        ("The governor", "having the president at the top of the ticket puts the state in play"),
        ("Her spokesman", "the spending numbers he saw were dramatic"),
        ("She", "legalizing it could put thousands of people to work"),
    ],
)
def test_reported_clause_keeps_a_subject_the_parser_hung_on_the_verb(parser, speaker, clause):
    """The parser makes the clause's subject an object, a second subject or a clause of "said",
    and leaves the rest a complement without a subject, or takes the gerund that opens the
    subject ("legalizing") for a complement of "said": the content is still the whole clause."""
    doc = parser(f"{speaker} said {clause}.")
    a = _find(doc, clause.split()[-1])
    assert _content(doc, a) == clause
    assert doc.text[a.speaker[0] : a.speaker[1]] == speaker


@pytest.mark.parametrize(
    ("text", "content"),
    [
        # the parser does not tie the "that"/"whether" clause to the verb: the rest of the
        # sentence is the content, from the subordinator on, not from "in a telephone interview"
        pytest.param(
            "The mayor said in a telephone interview that the plant would reopen in May.",
            "that the plant would reopen in May",
            id="where-before-that",
        ),
        pytest.param(
            "The reporter asked the minister whether the talks would resume next week.",
            "whether the talks would resume next week",
            id="listener-before-whether",
        ),
        pytest.param(
            "The governor argued during Saturday's debate that the budget was balanced.",
            "that the budget was balanced",
            id="when-before-that",
        ),
        # without "that" the parser takes the told clause for a relative clause of the listener
        pytest.param(
            "The senator told reporters he would run for governor next year.",
            "he would run for governor next year",
            id="unmarked-told-clause",
        ),
        pytest.param(
            "The candidate told supporters they should vote early.",
            "they should vote early",
            id="unmarked-told-clause-2",
        ),
        # before a quotation the parser makes the rest of the clause a parataxis of the verb
        # and its subject an object
        pytest.param(
            'The senator argued the new tax, which has been debated for months, is "a gift to the rich."',
            'the new tax, which has been debated for months, is "a gift to the rich."',
            id="quoted-clause-subject",
        ),
        pytest.param(
            'He admits his choice for president is "not the most handsome man in the field."',
            'his choice for president is "not the most handsome man in the field."',
            id="quoted-clause-subject-2",
        ),
    ],
)
def test_content_is_the_reported_clause_whatever_the_parser_hung_around_it(parser, text, content):
    """Misparses that put the place, time or listener of a statement into its content, or left
    the subject of the reported clause out of it."""
    doc = parser(text)
    a = _find(doc, content.split()[1])
    assert _content(doc, a) == content


def test_experiencer_passive_makes_its_subject_the_speaker(parser):
    """ "worried" is an experiencer verb: the residents hold the view."""
    doc = parser("Many residents were worried that the ceasefire would collapse within days.")
    a = _find(doc, "the ceasefire would collapse")
    assert doc.text[a.speaker[0] : a.speaker[1]] == "Many residents"
    assert _content(doc, a) == "that the ceasefire would collapse within days"


def test_the_listener_of_a_passive_question_is_not_content(parser):
    """ "ask" is a recipient verb: who was asked is neither the speaker nor the content."""
    doc = parser("Negotiators were asked about the hostages on Monday.")
    for a in extract_attributions(doc):
        assert not any("Negotiators" in doc.text[s:e] for s, e in a.content)


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev is not beside the repository")
def test_agentless_passive_in_a_real_article(parser):
    path = next((POLNEAR_DEV / "text").glob("nyt_2016-09-08_obama-on-climate-change*.txt"))
    doc = parser(path.read_text(encoding="utf-8"))
    a = _find(doc, "to be ratified next month")
    assert a.speaker is None
    assert [doc.text[s:e] for s, e in a.content] == [
        "The final international accord on the chemicals",
        "to be ratified next month in Rwanda",
    ]


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev is not beside the repository")
def test_a_direct_quotation_keeps_the_that_which_introduces_it(parser):
    """'said that "…"': the quotation is direct, and its content starts at "that", as PolNeAR's
    annotators mark the complementizer (2,027 of 2,035 times on train)."""
    path = next((POLNEAR_DEV / "text").glob("usa-today_2016-09-23_trump-questions-the-fairness*.txt"))
    doc = parser(path.read_text(encoding="utf-8"))
    a = _find(doc, "gaming the ref")
    assert a.kind == "direct"
    assert _content(doc, a).startswith('that "they hit Matt because')


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev is not beside the repository")
def test_pieces_of_a_statement_apart_only_by_a_comma_are_one_fragment(parser):
    """A real article where the parse hands the subject and the rest of a reported clause to
    different stages: what lies between them is a comma, so the content is one span."""
    path = next((POLNEAR_DEV / "text").glob("nyt_2016-09-12_visa-program-up-for-renewal*.txt"))
    doc = parser(path.read_text(encoding="utf-8"))
    a = _find(doc, "has brought billions of dollars")
    assert len(a.content) == 1
    assert doc.text[a.start : a.end].startswith("the program, run by the Department of Homeland Security")


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev is not beside the repository")
def test_vox_pop_article_signs_every_quotation(parser):
    """A real vox-pop article: each quotation is signed “…” ― Name; each gets its signer."""
    path = next((POLNEAR_DEV / "text").glob("huff-post_2016-09-27_latinos-share*.txt"))
    doc = parser(path.read_text(encoding="utf-8"))
    signed = [a for a in extract_attributions(doc) if a.rule == "signature"]
    assert len(signed) >= 15
    for a in signed:
        name = doc.text[a.speaker[0] : a.speaker[1]]
        assert name[0].isupper() and len(name.split()) <= 5
        between = doc.text[a.end : a.speaker[0]]
        assert "―" in between and len(between) <= 4


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev is not beside the repository")
def test_a_learned_oblique_content_keeps_the_object_before_it(parser):
    """"some who saw [the comment as a dig at …]": the argument model picks the oblique, and
    the content starts right after the cue, with the object, as PolNeAR's annotators mark it."""
    path = next((POLNEAR_DEV / "text").glob("politico_2016-09-08_flynn-says-trump*.txt"))
    doc = parser(path.read_text(encoding="utf-8"))
    a = _find(doc, "a dig at America")
    assert doc.text[a.cue[0] : a.cue[1]] == "saw"
    assert _content(doc, a) == "the comment as a dig at America’s military"


def test_a_quoted_phrase_the_sentence_runs_on_past_is_no_second_half(parser):
    """“A,” he said. “B.” joins B to A; a quoted phrase inside the next sentence's own
    statement (“… with a “strong presence” of the group”) does not, as PolNeAR marks it."""
    doc = parser(
        "“You'd have to be insane,” he said. And the senator called for denying entry to "
        "travelers from countries with a “strong presence” of the group."
    )
    a = _find(doc, "insane")
    assert _content(doc, a) == "“You'd have to be insane,”"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("The senator has said repeatedly that the plan would fail.", "has said repeatedly"),
        ("The campaign said in a statement that the governor would not attend.", "said in a statement"),
        ("The governor indicated Tuesday night that he would sign the bill.", "indicated Tuesday night"),
    ],
)
def test_words_between_the_verb_and_its_clause_join_the_cue(parser, text, cue):
    """The shipped boundary model gives the cue the words PolNeAR's annotators count as cue
    between the verb and the reported clause; the content still starts at "that"."""
    doc = parser(text)
    a = _find(doc, "that")
    assert doc.text[a.cue[0] : a.cue[1]] == cue
    assert _content(doc, a).startswith("that ")


@pytest.mark.parametrize(
    ("text", "halves"),
    [
        (
            "“It's too early to tell,” said John Roe, who is also a host on the TV show “Morning Talk.” "
            "“I mean, it depends on what happens with the economy.”",
            ["“It's too early to tell,”", "“I mean, it depends on what happens with the economy.”"],
        ),
        (
            "“Usually the voters make good decisions and democracy works,” replied Jane Doe, whose "
            "criticism of the mayor has sharpened since the spring. "
            "“Things are going to be fine. I promise.”",
            [
                "“Usually the voters make good decisions and democracy works,”",
                "“Things are going to be fine. I promise.”",
            ],
        ),
    ],
)
def test_the_speakers_relative_clause_is_no_part_of_a_split_quotation(parser, text, halves):
    """The parser hangs the speaker's relative clause (", who is also a host on … “Morning
    Talk.”", ", whose criticism … has sharpened") on the verb: neither the clause nor a title
    in it is reported; the quotation after it is the second half of the first."""
    doc = parser(text)
    a = _find(doc, halves[0][1:12])
    assert [doc.text[s:e] for s, e in a.content] == halves


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("The senator called on party leaders “not to give in to fear.”", "party leaders “not"),
        (
            "The governor accused the committee of “playing politics with the lives of our children.”",
            "the committee of “playing",
        ),
        ("Jane Doe said, “The council is ready to act.”", "“The council"),
        (
            "The senator praised the mayor on Monday, calling him a “talented guy” who works hard.",
            "him a “talented",
        ),
        (
            "Jane Doe called next month’s election “a referendum on the mayor” and urged voters to turn out.",
            "next month’s election “a referendum",
        ),
    ],
)
def test_a_quotation_takes_in_the_plain_words_after_its_cue(parser, text, start):
    """The words between a cue and its quotation are reported too ("called [the plan “a
    disaster”]"), unless punctuation sets the quotation off."""
    doc = parser(text)
    a = _find(doc, "“")
    assert _content(doc, a).startswith(start)
    assert a.kind == ("direct" if start.startswith("“") else "mixed")


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "Jane Doe added: “In hindsight, whatever the council decides now, we should have seen” the "
            "flood coming.",
            "“In hindsight, whatever the council decides now, we should have seen” the flood coming",
        ),
        (
            "The mayor condemned “such a cowardly attack” and declared a day of mourning.",
            "“such a cowardly attack”",
        ),
        (
            "The minister reported “good progress” after a meeting with the mediators on Sunday.",
            "“good progress”",
        ),
    ],
)
def test_a_quotation_takes_in_the_plain_words_its_sentence_runs_on_with(parser, text, content):
    """A quoted phrase inside a sentence: the plain words after it up to punctuation are
    reported too, but not a clause that "and" joins to another verb, nor a phrase on the
    reporting verb."""
    doc = parser(text)
    assert _content(doc, _find(doc, "“")) == content


@pytest.mark.parametrize(
    "text",
    [
        "The senator immediately posted a comment of her own, saying, “We are so excited to meet her!”",
        "The former minister recently urged women to vote for the mayor, saying, “There is a place for us.”",
    ],
)
def test_a_participle_reports_the_quotation_hung_beside_it(parser, text):
    """'…, saying, “…”': the parser hangs the quotation on the main verb, but "saying" is the cue."""
    doc = parser(text)
    a = _find(doc, "“")
    assert doc.text[a.cue[0] : a.cue[1]] == "saying"
    assert _content(doc, a).startswith("“")


def test_a_quotation_closed_by_a_comma_ends_before_its_cue(parser):
    """The plain words after the cue are the narrator's, though the parser hangs them on the
    quoted clause here ("tells | Fox News, responding to …")."""
    doc = parser(
        "“We need to do more to protect our borders, and her poor judgment shows me that she is not"
        " fit to serve,” the senator tells Fox News, responding to the news that the agency lost"
        " track of thousands of visitors."
    )
    a = _find(doc, "protect our borders")
    assert len(a.content) == 1
    assert _content(doc, a).endswith("fit to serve,”")


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "The senator criticized the new budget, which passed the House on Monday after a long debate.",
            "the new budget",
        ),
        (
            "The mayor said the budget would fail, which surprised nobody in the city.",
            "the budget would fail, which surprised nobody in the city",
        ),
    ],
)
def test_a_clause_describing_a_reported_noun_is_the_narrators(parser, text, content):
    """', which …' after a noun-phrase content tells the reader what the noun is; after a
    reported clause it may be part of the report, and stays."""
    doc = parser(text)
    a = _find(doc, content.split()[1])
    assert _content(doc, a) == content


@pytest.mark.parametrize(
    "text",
    [
        "The mayor is believed to have been on the flight, according to an interview his brother gave to a"
        " British network.",
        "Most voters prefer lower prices to goods made at home, according to a poll released Thursday.",
    ],
)
def test_the_words_after_a_closing_according_to_source_are_no_content(parser, text):
    """The parser cuts the source of "according to" short; the words after it are still the
    source's ("a poll | released Thursday"), not a second piece of the statement."""
    doc = parser(text)
    a = next(a for a in extract_attributions(doc) if a.rule == "according-to")
    assert len(a.content) == 1
    assert doc.text[a.end : a.end + 14] == ", according to"


@pytest.mark.parametrize(
    ("text", "start"),
    [
        (
            "The mayor seemed ready to joke about the incident, telling the crowd, “Some people get a"
            " little carried away, have you noticed that?”",
            "“Some people",
        ),
        ('The protesters outside the hall had one message: "Dump the mayor before it is too late."', '"Dump'),
    ],
)
def test_the_listener_or_a_label_before_a_quotation_is_no_content(parser, text, start):
    doc = parser(text)
    cue = "telling" if "telling" in text else "had"
    a = next(a for a in extract_attributions(doc) if a.cue and doc.text[slice(*a.cue)] == cue)
    assert _content(doc, a).startswith(start)


def test_a_reporting_participle_ends_the_content_before_it(parser):
    """', citing …' reports a statement of its own; it is no part of what was said."""
    doc = parser(
        "The governor said the new budget would fail in the legislature, citing the low turnout in the"
        " spring elections."
    )
    a = _find(doc, "new budget")
    assert _content(doc, a) == "the new budget would fail in the legislature"


def test_the_question_before_a_quoted_answer_is_no_content(parser):
    """'Asked …, X said, “…”': the parser hangs the question on the answer."""
    doc = parser(
        "Asked what qualities he would like the next nominee to have, the donor said, “They have got to be"
        " able to win.”"
    )
    a = next(a for a in extract_attributions(doc) if a.cue and doc.text[slice(*a.cue)] == "said")
    assert _content(doc, a) == "“They have got to be able to win.”"


def test_a_fronted_question_is_reported_by_asked(parser):
    """'Asked why …, X said …': "Asked" reports the question; the answer is the verb's."""
    doc = parser(
        "Asked during a January debate why he trailed so badly among minority voters, the senator said he"
        " would win them over."
    )
    found = extract_attributions(doc)
    question = next(a for a in found if a.rule == "question")
    assert doc.text[slice(*question.cue)] == "Asked"
    assert _content(doc, question) == "why he trailed so badly among minority voters"
    answer = next(a for a in found if a.cue and doc.text[slice(*a.cue)] == "said")
    assert _content(doc, answer) == "he would win them over"


def test_a_quotation_takes_its_cue_from_its_own_paragraph(parser):
    """textacy may pick a verb of the paragraph before; the quotation's own "said" wins."""
    doc = parser(
        "The mayor unveiled a list of endorsements from 95 retired officers, who cited her years in the"
        " Senate.\n\n"
        "Doe “is the only candidate that has the experience and the temperament to keep the city safe,”"
        " retired general John Smith said."
    )
    a = _find(doc, "only candidate")
    assert doc.text[slice(*a.cue)] == "said"


def test_a_question_after_when_asked_is_reported_by_asked(parser):
    doc = parser("“You bet I would,” the governor said when asked whether he would close the border.")
    question = next(a for a in extract_attributions(doc) if a.rule == "question")
    assert doc.text[slice(*question.cue)] == "asked"
    assert _content(doc, question) == "whether he would close the border"


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev is not beside the repository")
def test_this_sessions_boundaries_in_real_articles(parser):
    """Two real articles: the quotation's cue comes from its own paragraph, not from "cited" in
    the one before; and the ", which …" clause describing a reported noun is left out."""
    path = next((POLNEAR_DEV / "text").glob("usa-today_2016-09-08_candidates-vie-for-vets*.txt"))
    doc = parser(path.read_text(encoding="utf-8"))
    a = _find(doc, "is the only candidate that has the experience")
    assert doc.text[slice(*a.cue)] == "said"
    path = next((POLNEAR_DEV / "text").glob("nyt_2016-09-19_old-hands-help-russia*.txt"))
    doc = parser(path.read_text(encoding="utf-8"))
    a = next(a for a in extract_attributions(doc) if a.cue and doc.text[slice(*a.cue)] == "likened")
    assert _content(doc, a) == "RT to the BBC"
