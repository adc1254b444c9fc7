/*
 * The stock dashboard: products with their stock per warehouse, and the
 * forms that change them, all through the same-origin JSON API.
 *
 * Every piece of data reaches the page through textContent or attribute
 * setters, never through HTML parsing, so a product called
 * "<img src=x onerror=alert(1)>" is shown as those characters.
 */
(function () {
  "use strict";

  var REASON_LABELS = {
    receipt: "Receipt",
    sale: "Sale",
    return: "Return",
    damage: "Damage",
    correction: "Correction",
    opening: "Opening count",
    count: "Stock count",
    transfer_in: "Transfer in",
    transfer_out: "Transfer out",
  };

  var state = {
    products: [],
    stockRows: [],
    degraded: false,
    search: "",
    lowOnly: false,
    loadSequence: 0,
    openStockId: null,
    editingProductId: null,
    archivingProductId: null,
  };

  // ---- small DOM helpers -------------------------------------------------

  function byTestId(testId, root) {
    return (root || document).querySelector('[data-testid="' + testId + '"]');
  }

  /* An element with text content, attributes and children; strings become
   * text nodes, so nothing passed here is ever parsed as HTML. */
  function h(tag, props, children) {
    var node = document.createElement(tag);
    var options = props || {};
    if (options.className) node.className = options.className;
    if (options.text !== undefined) node.textContent = String(options.text);
    Object.keys(options.attrs || {}).forEach(function (name) {
      node.setAttribute(name, options.attrs[name]);
    });
    Object.keys(options.data || {}).forEach(function (name) {
      node.dataset[name] = options.data[name];
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(
        typeof child === "string" ? document.createTextNode(child) : child
      );
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  var numberFormat = new Intl.NumberFormat(undefined);
  var priceFormat = new Intl.NumberFormat(undefined, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  var timeFormat = new Intl.DateTimeFormat(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });

  function formatDelta(delta) {
    return delta > 0 ? "+" + numberFormat.format(delta) : "−" + numberFormat.format(-delta);
  }

  function reasonLabel(reason) {
    return REASON_LABELS[reason] || String(reason || "").replace(/_/g, " ");
  }

  function announce(message) {
    byTestId("status").textContent = message;
  }

  // ---- the API -----------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    return document.querySelector('meta[name="csrf-token"]').content;
  }

  /* A random UUID; crypto.randomUUID needs a secure context, so plain-HTTP
   * deployments fall back to building one from getRandomValues. */
  function newIdempotencyKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (byte) {
        return byte.toString(16).padStart(2, "0");
      })
      .join("");
    return [
      hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20),
    ].join("-");
  }

  function ApiError(status, body) {
    this.status = status;
    this.detail = body.detail;
    this.code = body.code || "error";
    this.errors = body.errors || {};
    this.meta = body.meta || {};
  }

  /* One API call; resolves to {data, headers}, rejects with an ApiError
   * whose detail is always a sentence a person can read. */
  function api(method, path, options) {
    var settings = options || {};
    var headers = { Accept: "application/json" };
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    if (settings.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(settings.body);
    }
    if (settings.idempotencyKey) headers["Idempotency-Key"] = settings.idempotencyKey;

    return fetch(path, init).then(
      function (response) {
        if (response.status === 204) return { data: null, headers: response.headers };
        return response.text().then(function (text) {
          var body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (parseError) {
            body = null;
          }
          if (response.ok) return { data: body, headers: response.headers };
          throw new ApiError(response.status, describeFailure(response, body));
        });
      },
      function () {
        throw new ApiError(0, {
          detail: "Could not reach StockWiz. Check the connection and try again.",
          code: "network_error",
        });
      }
    );
  }

  function describeFailure(response, body) {
    var shaped = body && typeof body === "object" && typeof body.detail === "string";
    var result = shaped
      ? body
      : {
          detail: "The server answered " + response.status + " " + response.statusText + ".",
          code: "http_" + response.status,
        };
    if (response.status === 401) {
      result.detail += " Your session may have ended: reload the page to sign in again.";
    }
    return result;
  }

  // ---- loading and deriving the data --------------------------------------

  function loadData() {
    var sequence = ++state.loadSequence;
    byTestId("products-table").setAttribute("aria-busy", "true");

    var products = api("GET", "/api/products-full");
    var rows = api("GET", "/api/inventory").then(
      function (answer) {
        return answer.data;
      },
      function () {
        return null; // shown as the degraded banner below
      }
    );

    return Promise.all([products, rows])
      .then(function (answers) {
        if (sequence !== state.loadSequence) return;
        state.products = answers[0].data;
        state.degraded =
          answers[0].headers.get("X-Degraded") === "inventory" || answers[1] === null;
        state.stockRows = answers[1] || [];
        byTestId("load-error").hidden = true;
        render();
      })
      .catch(function (error) {
        if (sequence !== state.loadSequence) return;
        var banner = byTestId("load-error");
        banner.textContent =
          "The product list could not be loaded: " + (error.detail || String(error));
        banner.hidden = false;
      })
      .then(function () {
        if (sequence === state.loadSequence) {
          byTestId("products-table").removeAttribute("aria-busy");
        }
      });
  }

  function isLow(row) {
    return row.quantity <= row.reorder_point;
  }

  function warehouses() {
    var names = {};
    state.stockRows.forEach(function (row) {
      names[row.warehouse] = true;
    });
    return Object.keys(names).sort(function (a, b) {
      return a.localeCompare(b);
    });
  }

  function rowsByProduct() {
    var grouped = {};
    state.stockRows.forEach(function (row) {
      (grouped[row.product_id] = grouped[row.product_id] || {})[row.warehouse] = row;
    });
    return grouped;
  }

  function productById(productId) {
    return state.products.find(function (product) {
      return product.id === productId;
    });
  }

  function stockRowById(stockId) {
    return state.stockRows.find(function (row) {
      return row.id === stockId;
    });
  }

  function productTotal(product, rows) {
    var names = Object.keys(rows || {});
    if (names.length) {
      return names.reduce(function (sum, name) {
        return sum + rows[name].quantity;
      }, 0);
    }
    return product.inventory ? product.inventory.quantity : 0;
  }

  function matchesFilters(product, rows) {
    if (state.lowOnly) {
      var anyLow = Object.keys(rows || {}).some(function (name) {
        return isLow(rows[name]);
      });
      if (!anyLow) return false;
    }
    if (!state.search) return true;
    var haystack = [product.name, product.sku, product.category].join(" ").toLowerCase();
    return haystack.indexOf(state.search) !== -1;
  }

  // ---- rendering ---------------------------------------------------------

  function render() {
    var names = warehouses();
    var grouped = rowsByProduct();

    byTestId("degraded-banner").hidden = !state.degraded;
    renderSummary(names);
    renderHead(names);
    renderBody(names, grouped);
    renderFoot(names, grouped);
    renderChoices(names);
  }

  function renderSummary(names) {
    var units = state.stockRows.reduce(function (sum, row) {
      return sum + row.quantity;
    }, 0);
    var low = state.stockRows.filter(isLow).length;
    byTestId("summary-products").textContent = numberFormat.format(state.products.length);
    byTestId("summary-units").textContent = state.degraded ? "–" : numberFormat.format(units);
    byTestId("summary-warehouses").textContent =
      state.degraded ? "–" : numberFormat.format(names.length);
    byTestId("summary-low").textContent = state.degraded ? "–" : numberFormat.format(low);
    document.querySelector(".summary-card-low").classList.toggle("has-low", low > 0);
  }

  function renderHead(names) {
    var head = byTestId("table-head");
    clear(head);
    head.appendChild(h("th", { text: "Product", attrs: { scope: "col" } }));
    head.appendChild(h("th", { text: "Price", className: "num", attrs: { scope: "col" } }));
    if (state.degraded) {
      head.appendChild(h("th", { text: "Stock", attrs: { scope: "col" } }));
    }
    names.forEach(function (name) {
      head.appendChild(h("th", { text: name, className: "num", attrs: { scope: "col" } }));
    });
    head.appendChild(h("th", { text: "Total", className: "num", attrs: { scope: "col" } }));
    head.appendChild(h("th", { attrs: { scope: "col" } }, [
      h("span", { className: "visually-hidden", text: "Actions" }),
    ]));
  }

  function renderBody(names, grouped) {
    var body = byTestId("products-body");
    var shown = state.products
      .filter(function (product) {
        return matchesFilters(product, grouped[product.id]);
      })
      .sort(function (a, b) {
        return a.name.localeCompare(b.name) || a.id - b.id;
      });

    clear(body);
    shown.forEach(function (product) {
      body.appendChild(productRow(product, grouped[product.id] || {}, names));
    });

    var empty = byTestId("empty-state");
    if (!state.products.length) {
      empty.textContent = "No products yet. Add the first one with “New product”.";
    } else if (!shown.length) {
      empty.textContent = "No products match the filters.";
    }
    empty.hidden = shown.length > 0;
  }

  function productRow(product, rows, names) {
    var anyLow = Object.keys(rows).some(function (name) {
      return isLow(rows[name]);
    });
    var details = [product.sku, product.category].filter(Boolean).join(" · ");
    var nameCell = h("th", { className: "product-cell", attrs: { scope: "row" } }, [
      h("span", {
        className: "product-name",
        text: product.name,
        data: { testid: "product-name" },
      }),
      details ? h("span", { className: "product-details", text: details }) : null,
      anyLow ? h("span", { className: "badge badge-low", text: "Low stock" }) : null,
    ]);

    var tr = h("tr", {
      className: anyLow ? "is-low" : "",
      data: { testid: "product-row", productId: String(product.id) },
    }, [
      nameCell,
      h("td", {
        className: "num price",
        text: priceFormat.format(product.price),
        attrs: { "data-label": "Price" },
      }),
    ]);

    if (state.degraded) {
      tr.appendChild(h("td", {
        className: "muted",
        text: "Unavailable",
        attrs: { "data-label": "Stock" },
      }));
    }
    names.forEach(function (warehouse) {
      tr.appendChild(stockCell(product, warehouse, rows[warehouse]));
    });
    tr.appendChild(h("td", {
      className: "num total",
      text: state.degraded ? "–" : numberFormat.format(productTotal(product, rows)),
      attrs: { "data-label": "Total" },
      data: { testid: "product-total" },
    }));
    tr.appendChild(h("td", { className: "actions", attrs: { "data-label": "Actions" } }, [
      actionButton("Open row", "open-stock", product, "Open a stock row for " + product.name),
      actionButton("Edit", "edit-product", product, "Edit " + product.name),
      actionButton("Archive", "archive-product", product, "Archive " + product.name),
    ]));
    return tr;
  }

  function actionButton(text, action, product, label) {
    return h("button", {
      className:
        "button button-small " +
        (action === "archive-product" ? "button-quiet-danger" : "button-quiet"),
      text: text,
      attrs: { type: "button", "aria-label": label },
      data: { action: action, productId: String(product.id), testid: action + "-button" },
    });
  }

  function stockCell(product, warehouse, row) {
    var cell = h("td", {
      className: "num stock-cell",
      attrs: { "data-label": warehouse },
      data: { testid: "stock-cell", warehouse: warehouse },
    });
    if (!row) {
      cell.appendChild(h("button", {
        className: "cell-button cell-button-empty",
        text: "+",
        attrs: {
          type: "button",
          "aria-label": "Open a stock row for " + product.name + " in " + warehouse,
        },
        data: { action: "open-stock", productId: String(product.id), warehouse: warehouse },
      }));
      return cell;
    }
    var low = isLow(row);
    cell.classList.toggle("is-low", low);
    cell.appendChild(h("button", {
      className: "cell-button",
      attrs: {
        type: "button",
        "aria-label": product.name + " in " + warehouse + ": " + row.quantity + " on hand" +
          (low ? ", low stock" : "") + ". Adjust or see history",
      },
      data: { action: "stock-row", stockId: String(row.id) },
    }, [
      h("span", {
        className: "cell-quantity",
        text: numberFormat.format(row.quantity),
        data: { testid: "stock-quantity" },
      }),
      low ? h("span", { className: "cell-flag", text: "low" }) : null,
    ]));
    return cell;
  }

  function renderFoot(names, grouped) {
    var foot = byTestId("products-foot");
    clear(foot);
    if (!state.products.length || state.degraded) return;
    var tr = h("tr", { data: { testid: "totals-row" } }, [
      h("th", { text: "All products", attrs: { scope: "row" } }),
      h("td", { className: "price-spacer" }),
    ]);
    var grand = 0;
    names.forEach(function (warehouse) {
      var sum = state.stockRows.reduce(function (total, row) {
        return row.warehouse === warehouse ? total + row.quantity : total;
      }, 0);
      grand += sum;
      tr.appendChild(h("td", {
        className: "num",
        text: numberFormat.format(sum),
        attrs: { "data-label": warehouse },
        data: { testid: "warehouse-total", warehouse: warehouse },
      }));
    });
    tr.appendChild(h("td", {
      className: "num total",
      text: numberFormat.format(grand),
      attrs: { "data-label": "Total" },
      data: { testid: "grand-total" },
    }));
    tr.appendChild(h("td", { className: "actions-spacer" }));
    foot.appendChild(tr);
  }

  /* Suggestions for the free-text warehouse and category inputs. */
  function renderChoices(names) {
    fillDatalist(document.getElementById("warehouse-options"), names);
    var categories = {};
    state.products.forEach(function (product) {
      if (product.category) categories[product.category] = true;
    });
    fillDatalist(document.getElementById("category-options"), Object.keys(categories).sort());
  }

  function fillDatalist(list, values) {
    clear(list);
    values.forEach(function (value) {
      list.appendChild(h("option", { attrs: { value: value } }));
    });
  }

  function fillProductSelect(select, onlyStocked, selectedId) {
    var stocked = rowsByProduct();
    clear(select);
    select.appendChild(h("option", { text: "Choose a product", attrs: { value: "" } }));
    state.products
      .filter(function (product) {
        return !onlyStocked || stocked[product.id];
      })
      .sort(function (a, b) {
        return a.name.localeCompare(b.name);
      })
      .forEach(function (product) {
        var label = product.sku ? product.name + " (" + product.sku + ")" : product.name;
        select.appendChild(h("option", { text: label, attrs: { value: String(product.id) } }));
      });
    select.value = selectedId ? String(selectedId) : "";
  }

  // ---- forms: errors, busy state, idempotency keys ------------------------

  function formOf(name) {
    return document.querySelector('[data-form="' + name + '"]');
  }

  function clearErrors(form) {
    var box = form.querySelector('[data-testid="form-error"]');
    clear(box);
    box.hidden = true;
    form.querySelectorAll("[data-error-for]").forEach(function (node) {
      node.textContent = "";
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
    });
  }

  /* The API's sentence on top of the form; each field's messages under the
   * field, and messages for fields the form does not show in the list. */
  function showErrors(form, error) {
    clearErrors(form);
    var box = form.querySelector('[data-testid="form-error"]');
    box.appendChild(h("p", {
      className: "form-error-detail",
      text: error.detail || "Something went wrong.",
    }));

    var unplaced = h("ul", { className: "form-error-list" });
    var firstInvalid = null;
    Object.keys(error.errors || {}).forEach(function (field) {
      var messages = [].concat(error.errors[field]).join(" ");
      var slot = form.querySelector('[data-error-for="' + CSS.escape(field) + '"]');
      var input = form.querySelector('[name="' + CSS.escape(field) + '"]');
      if (slot) {
        slot.textContent = messages;
        if (input) {
          input.setAttribute("aria-invalid", "true");
          firstInvalid = firstInvalid || input;
        }
      } else {
        var label = field === "non_field_errors" ? "" : field.replace(/_/g, " ") + ": ";
        unplaced.appendChild(h("li", { text: label + messages }));
      }
    });
    if (unplaced.childNodes.length) box.appendChild(unplaced);
    box.hidden = false;
    if (firstInvalid) firstInvalid.focus();
  }

  function setBusy(form, busy) {
    form.querySelectorAll('button[type="submit"]').forEach(function (button) {
      button.disabled = busy;
    });
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /* The same key while the same body is retried (a double click, a lost
   * answer); a new key once the body changes or the change went through. */
  function keyFor(form, body) {
    var serialized = JSON.stringify(body);
    if (form._idempotency && form._idempotency.body === serialized) {
      return form._idempotency.key;
    }
    form._idempotency = { body: serialized, key: newIdempotencyKey() };
    return form._idempotency.key;
  }

  function forgetKey(form) {
    form._idempotency = null;
  }

  /* Submit handler wrapper: one request at a time per form, errors shown. */
  function onSubmit(form, send) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") return;
      clearErrors(form);
      var request;
      try {
        request = send();
      } catch (clientError) {
        showErrors(form, clientError);
        return;
      }
      setBusy(form, true);
      request
        .catch(function (error) {
          showErrors(form, error instanceof ApiError ? error : { detail: String(error) });
        })
        .then(function () {
          setBusy(form, false);
        });
    });
  }

  function fieldError(field, message) {
    var errors = {};
    errors[field] = [message];
    return { detail: "Check the highlighted field.", errors: errors };
  }

  function wholeNumber(value) {
    return /^-?\d+$/.test(String(value).trim()) ? parseInt(value, 10) : NaN;
  }

  // ---- dialogs -----------------------------------------------------------

  function openDialog(testId, focusSelector) {
    var dialog = byTestId(testId);
    dialog.querySelectorAll("form").forEach(clearErrors);
    if (!dialog.open) dialog.showModal();
    var focus = focusSelector && dialog.querySelector(focusSelector);
    if (focus) focus.focus();
    return dialog;
  }

  function closeDialog(testId) {
    var dialog = byTestId(testId);
    if (dialog.open) dialog.close();
  }

  // Product: create and edit.

  function openProductDialog(product) {
    var form = formOf("product");
    form.reset();
    state.editingProductId = product ? product.id : null;
    byTestId("product-dialog-title").textContent = product ? "Edit product" : "New product";
    if (product) {
      form.elements.name.value = product.name;
      form.elements.sku.value = product.sku || "";
      form.elements.price.value = Number(product.price).toFixed(2);
      form.elements.category.value = product.category || "";
      form.elements.description.value = product.description || "";
    }
    openDialog("product-dialog", '[name="name"]');
  }

  onSubmit(formOf("product"), function () {
    var form = formOf("product");
    var fields = ["name", "sku", "price", "category", "description"];
    var values = {};
    fields.forEach(function (field) {
      values[field] = form.elements[field].value.trim();
    });
    var editing = state.editingProductId ? productById(state.editingProductId) : null;
    var body = {};
    fields.forEach(function (field) {
      var value = values[field];
      if (editing) {
        var before = field === "price" ? Number(editing.price).toFixed(2) : editing[field] || "";
        if (String(before) !== value) body[field] = value;
      } else if (value || field === "name" || field === "price") {
        body[field] = value;
      }
    });
    if (editing && !Object.keys(body).length) {
      closeDialog("product-dialog");
      announce("No changes to save.");
      return Promise.resolve();
    }

    var request = editing
      ? api("PATCH", "/api/products/" + editing.id, { body: body })
      : api("POST", "/api/products", { body: body });
    return request.then(function (answer) {
      return loadData().then(function () {
        closeDialog("product-dialog");
        announce((editing ? "Saved " : "Created ") + answer.data.name + ".");
      });
    });
  });

  // Product: archive.

  function openArchiveDialog(product) {
    state.archivingProductId = product.id;
    byTestId("archive-name").textContent = product.name;
    openDialog("archive-dialog", '[data-close]');
  }

  onSubmit(formOf("archive"), function () {
    var product = productById(state.archivingProductId);
    return api("DELETE", "/api/products/" + product.id).then(function () {
      return loadData().then(function () {
        closeDialog("archive-dialog");
        announce("Archived " + product.name + ".");
      });
    });
  });

  // Stock row: open one.

  function openStockRowDialog(productId, warehouse) {
    var form = formOf("open-stock");
    form.reset();
    fillProductSelect(form.elements.product_id, false, productId);
    form.elements.warehouse.value = warehouse || "";
    var focus = '[name="product_id"]';
    if (productId) focus = warehouse ? '[name="quantity"]' : '[name="warehouse"]';
    openDialog("open-stock-dialog", focus);
  }

  onSubmit(formOf("open-stock"), function () {
    var form = formOf("open-stock");
    if (!form.elements.product_id.value) throw fieldError("product_id", "Choose a product.");
    var body = {
      product_id: Number(form.elements.product_id.value),
      warehouse: form.elements.warehouse.value.trim(),
      quantity: wholeNumber(form.elements.quantity.value),
    };
    if (isNaN(body.quantity)) {
      throw fieldError("quantity", "Enter a whole number of units, 0 or more.");
    }
    if (form.elements.reorder_point.value.trim() !== "") {
      body.reorder_point = wholeNumber(form.elements.reorder_point.value);
      if (isNaN(body.reorder_point)) {
        throw fieldError("reorder_point", "Enter a whole number, 0 or more.");
      }
    }
    return api("POST", "/api/inventory", { body: body }).then(function (answer) {
      var product = productById(body.product_id);
      return loadData().then(function () {
        closeDialog("open-stock-dialog");
        announce(
          "Opened " + (product ? product.name : "the product") + " in " +
            answer.data.warehouse + " with " +
            numberFormat.format(answer.data.quantity) + " on hand."
        );
      });
    });
  });

  // Stock row: adjust and history.

  function openStockDialog(stockId) {
    state.openStockId = stockId;
    var form = formOf("adjust");
    form.reset();
    forgetKey(form);
    renderStockFacts();
    updatePreview();
    openDialog("stock-dialog", '[name="delta"]');
    loadMovements(stockId);
  }

  function renderStockFacts() {
    var row = stockRowById(state.openStockId);
    if (!row) return;
    var product = productById(row.product_id);
    byTestId("stock-dialog-title").textContent =
      product ? product.name : "Product " + row.product_id;
    byTestId("stock-dialog-warehouse").textContent = "Warehouse: " + row.warehouse;
    byTestId("stock-dialog-quantity").textContent = numberFormat.format(row.quantity);
    byTestId("stock-dialog-reorder").textContent = numberFormat.format(row.reorder_point);
    byTestId("stock-dialog-low").hidden = !isLow(row);
  }

  function updatePreview() {
    var row = stockRowById(state.openStockId);
    var delta = wholeNumber(formOf("adjust").elements.delta.value);
    var preview = byTestId("adjust-preview");
    if (!row || isNaN(delta) || delta === 0) {
      preview.textContent = "Positive adds, negative removes (−3).";
    } else if (row.quantity + delta < 0) {
      preview.textContent =
        "That removes more than the " + numberFormat.format(row.quantity) + " on hand.";
    } else {
      preview.textContent =
        "After the change: " + numberFormat.format(row.quantity + delta) + " on hand.";
    }
  }

  function loadMovements(stockId) {
    var list = byTestId("movement-list");
    var note = byTestId("movements-state");
    clear(list);
    note.textContent = "Loading history…";
    return api("GET", "/api/inventory/" + stockId + "/movements").then(
      function (answer) {
        if (state.openStockId !== stockId) return;
        var movements = Array.isArray(answer.data) ? answer.data : answer.data.results;
        note.textContent = movements.length ? "" : "No changes recorded yet.";
        movements.forEach(function (movement) {
          list.appendChild(movementItem(movement));
        });
      },
      function (error) {
        if (state.openStockId === stockId) {
          note.textContent = "History unavailable: " + error.detail;
        }
      }
    );
  }

  function movementItem(movement) {
    var when = new Date(movement.created_at);
    var by = movement.user ? "by " + movement.user : "";
    return h("li", { className: "movement", data: { testid: "movement-row" } }, [
      h("span", {
        className: "movement-delta " + (movement.delta > 0 ? "is-in" : "is-out"),
        text: formatDelta(movement.delta),
        data: { testid: "movement-delta" },
      }),
      h("span", { className: "movement-main" }, [
        h("span", {
          className: "movement-reason",
          text: reasonLabel(movement.reason),
          data: { testid: "movement-reason" },
        }),
        movement.note ? h("span", { className: "movement-note", text: movement.note }) : null,
        h("span", { className: "movement-meta" }, [
          h("time", { text: timeFormat.format(when), attrs: { datetime: movement.created_at } }),
          by ? " · " + by : null,
        ]),
      ]),
      h("span", {
        className: "movement-after",
        text: numberFormat.format(movement.quantity_after) + " after",
      }),
    ]);
  }

  formOf("adjust").elements.delta.addEventListener("input", updatePreview);

  onSubmit(formOf("adjust"), function () {
    var form = formOf("adjust");
    var stockId = state.openStockId;
    var delta = wholeNumber(form.elements.delta.value);
    if (isNaN(delta) || delta === 0) {
      throw fieldError("delta", "Enter a whole number other than zero, such as 5 or -3.");
    }
    var body = {
      delta: delta,
      reason: form.elements.reason.value,
      note: form.elements.note.value.trim(),
    };
    return api("POST", "/api/inventory/" + stockId + "/adjust", {
      body: body,
      idempotencyKey: keyFor(form, body),
    }).then(function (answer) {
      forgetKey(form);
      form.reset();
      announce("Adjusted by " + formatDelta(delta) + ": " + answer.data.warehouse + " now holds " +
        numberFormat.format(answer.data.quantity) + ".");
      return loadData().then(function () {
        renderStockFacts();
        updatePreview();
        return loadMovements(stockId);
      });
    });
  });

  // Transfer between warehouses.

  function openTransferDialog(productId, fromWarehouse) {
    var form = formOf("transfer");
    form.reset();
    forgetKey(form);
    fillProductSelect(form.elements.product_id, true, productId);
    fillFromWarehouses(fromWarehouse);
    openDialog("transfer-dialog", productId ? '[name="to_warehouse"]' : '[name="product_id"]');
  }

  function fillFromWarehouses(selected) {
    var form = formOf("transfer");
    var select = form.elements.from_warehouse;
    var rows = rowsByProduct()[Number(form.elements.product_id.value)] || {};
    clear(select);
    Object.keys(rows).sort().forEach(function (warehouse) {
      select.appendChild(h("option", {
        text: warehouse + " (" + numberFormat.format(rows[warehouse].quantity) + " on hand)",
        attrs: { value: warehouse },
      }));
    });
    if (selected) select.value = selected;
  }

  formOf("transfer").elements.product_id.addEventListener("change", function () {
    fillFromWarehouses(null);
  });

  onSubmit(formOf("transfer"), function () {
    var form = formOf("transfer");
    if (!form.elements.product_id.value) {
      throw fieldError("product_id", "Choose a product with stock.");
    }
    var quantity = wholeNumber(form.elements.quantity.value);
    if (isNaN(quantity) || quantity < 1) {
      throw fieldError("quantity", "Enter a whole number of units, 1 or more.");
    }
    var body = {
      product_id: Number(form.elements.product_id.value),
      from_warehouse: form.elements.from_warehouse.value,
      to_warehouse: form.elements.to_warehouse.value.trim(),
      quantity: quantity,
    };
    return api("POST", "/api/inventory/transfer", {
      body: body,
      idempotencyKey: keyFor(form, body),
    }).then(function (answer) {
      forgetKey(form);
      return loadData().then(function () {
        closeDialog("transfer-dialog");
        announce("Moved " + numberFormat.format(quantity) + " from " + answer.data.from.warehouse +
          " to " + answer.data.to.warehouse + ".");
      });
    });
  });

  // ---- page wiring -------------------------------------------------------

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close]");
    if (closer) {
      closer.closest("dialog").close();
      return;
    }
    var button = event.target.closest("[data-action]");
    if (!button) return;
    var productId = button.dataset.productId ? Number(button.dataset.productId) : null;
    switch (button.dataset.action) {
      case "new-product":
        openProductDialog(null);
        break;
      case "edit-product":
        openProductDialog(productById(productId));
        break;
      case "archive-product":
        openArchiveDialog(productById(productId));
        break;
      case "open-stock":
        openStockRowDialog(productId, button.dataset.warehouse);
        break;
      case "stock-row":
        openStockDialog(Number(button.dataset.stockId));
        break;
      case "transfer":
        openTransferDialog(null, null);
        break;
      case "transfer-from-row":
        transferFromOpenRow();
        break;
      case "refresh":
        announce("Refreshing…");
        loadData().then(function () {
          announce("Up to date.");
        });
        break;
      default:
        break;
    }
  });

  function transferFromOpenRow() {
    var row = stockRowById(state.openStockId);
    closeDialog("stock-dialog");
    if (row) openTransferDialog(row.product_id, row.warehouse);
  }

  byTestId("stock-dialog").addEventListener("close", function () {
    state.openStockId = null;
  });

  byTestId("search-input").addEventListener("input", function (event) {
    state.search = event.target.value.trim().toLowerCase();
    render();
  });

  byTestId("low-only-toggle").addEventListener("change", function (event) {
    state.lowOnly = event.target.checked;
    render();
  });

  loadData();
})();
