// Reply links open the comment form under the comment they answer, without a page load.
// Without this file they do the same through the server (/comments/post/<post>/reply/<n>/).
document.addEventListener("click", (event) => {
  const link = event.target.closest(".comment-actions a");
  const item = link && link.closest("li[data-pk]");
  const form = document.getElementById("comment-form");
  if (!item || !form) return;
  event.preventDefault();
  item.querySelector("article").after(form);
  form.querySelector("input[name=parent]").value = item.dataset.pk;
  const author = item.querySelector(".comment-author").textContent.trim();
  // The heading's words come from the page, in the blog's language.
  const heading = form.dataset.replyHeading || "Reply to {author} ({number})";
  // The number first: a name may hold "{number}", and the author's name is put in last.
  form.querySelector("h3").textContent = heading
    .replace("{number}", item.id.slice(1))
    .replace("{author}", () => author);
  form.querySelector("textarea").focus();
});
