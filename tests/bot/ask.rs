use crate::helpers::TestApp;

#[tokio::test]
async fn a_typed_question_is_answered_with_a_quoted_cited_passage() {
    let app = TestApp::spawn().await;
    let output = app
        .send("Who did Stalin defeat in the struggle for power?")
        .await;
    assert!(output.contains("From the document:"), "{output}");
    let first_quote = output.lines().find(|l| l.starts_with("> ")).unwrap();
    assert!(first_quote.contains("Trotsky"), "{output}");
    // Piped, the terminal shows plain text; the message marks the matched
    // words bold for platforms (and terminals) that can show it.
    assert!(first_quote.contains("struggle for power"), "{output}");
    assert!(!output.contains("**"), "{output}");
    let message = app
        .bot
        .ask("Who did Stalin defeat in the struggle for power?")
        .to_markdown();
    assert!(
        message.contains("**struggle** for **power**"),
        "matched words are bold: {message}"
    );
    assert!(output.contains("sentence 1 of 37"), "{output}");
}

#[tokio::test]
async fn a_question_the_document_does_not_cover_is_refused_with_topics() {
    let app = TestApp::spawn().await;
    let output = app.send("What is the capital of France?").await;
    assert!(
        output.contains("The document does not cover that."),
        "{output}"
    );
    assert!(output.contains("It does cover:"), "{output}");
    assert!(
        !output.contains("> "),
        "an off-topic refusal quotes nothing: {output}"
    );
}

#[tokio::test]
async fn a_near_miss_shows_the_closest_passage_labelled_as_not_an_answer() {
    let app = TestApp::spawn().await;
    let output = app
        .send("When did Stalin announce that collectivisation would be compulsory?")
        .await;
    assert!(output.contains("does not give a date"), "{output}");
    assert!(output.contains("not a direct answer"), "{output}");
    assert!(output.contains("sentence 24 of 37"), "{output}");
}

#[tokio::test]
async fn hello_gets_a_pointer_not_a_refusal() {
    let app = TestApp::spawn().await;
    let output = app.send("hello!").await;
    assert!(output.starts_with("Hello!"), "{output}");
    assert!(!output.contains("does not cover"), "{output}");
}

#[tokio::test]
async fn the_ask_command_and_plain_text_give_the_same_answer() {
    let app = TestApp::spawn().await;
    let plain = app.send("what is a kolkhoz").await;
    let command = app.send("/ask what is a kolkhoz").await;
    assert_eq!(plain, command);
    assert!(plain.contains("kolkhoz"), "{plain}");
}

#[tokio::test]
async fn user_text_is_never_rendered_as_a_mention() {
    let app = TestApp::spawn().await;
    let output = app.send("/as @everyone /score").await;
    assert!(!output.contains("@everyone"), "{output}");
}
