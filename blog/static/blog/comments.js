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
  form.querySelector("h3").textContent = `Reply to ${author} (${item.id.slice(1)})`;
  form.querySelector("textarea").focus();
});
